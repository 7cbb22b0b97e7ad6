import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, shuffleInPlace } from '../../src/core/random';

describe('seeded rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });
  it('gives uniform and normal draws with the right moments', () => {
    const r = createRng(7);
    let s = 0, s2 = 0, u = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z; s2 += z * z; u += r.next();
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.005);
  });
  it('int(n) stays in range and covers it', () => {
    const r = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const k = r.int(7);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(7);
      seen.add(k);
    }
    expect(seen.size).toBe(7);
  });
  it('shuffles to a permutation and derives distinct seeds', () => {
    const xs = shuffleInPlace([...Array(50).keys()], createRng(3));
    expect([...xs].sort((p, q) => p - q)).toEqual([...Array(50).keys()]);
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 1));
  });
});
