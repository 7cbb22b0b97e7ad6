import { describe, expect, it } from 'vitest';
import { clopperPearson } from '../../../src/core/metrics';

describe('Clopper–Pearson exact 95% interval', () => {
  it('matches published values', () => {
    const [l0, h0] = clopperPearson(0, 10)!;
    expect(l0).toBe(0);
    expect(h0).toBeCloseTo(0.3085, 4);
    const [l10, h10] = clopperPearson(10, 10)!;
    expect(l10).toBeCloseTo(0.6915, 4);
    expect(h10).toBe(1);
    const [l5, h5] = clopperPearson(5, 10)!;
    expect(l5).toBeCloseTo(0.187086, 6);
    expect(h5).toBeCloseTo(0.812914, 6);
    const [l1, h1] = clopperPearson(1, 10)!;
    expect(l1).toBeCloseTo(0.002529, 6);
    expect(h1).toBeCloseTo(0.445016, 6);
  });
  it('has the closed form at the edges: upper(0/n) = 1 − 0.025^{1/n}, lower(n/n) = 0.025^{1/n}', () => {
    for (const n of [1, 7, 25, 624, 10_000]) {
      expect(clopperPearson(0, n)![1]).toBeCloseTo(1 - Math.pow(0.025, 1 / n), 12);
      expect(clopperPearson(n, n)![0]).toBeCloseTo(Math.pow(0.025, 1 / n), 12);
    }
  });
  it('is symmetric: CI(x, n) = 1 − CI(n − x, n) reversed', () => {
    const [a, b] = clopperPearson(37, 390)!;
    const [c, d] = clopperPearson(353, 390)!;
    expect(a).toBeCloseTo(1 - d, 12);
    expect(b).toBeCloseTo(1 - c, 12);
  });
  it('is null without trials and rejects impossible counts', () => {
    expect(clopperPearson(0, 0)).toBeNull();
    expect(() => clopperPearson(3, 2)).toThrow();
    expect(() => clopperPearson(1.5, 4)).toThrow();
  });
});
