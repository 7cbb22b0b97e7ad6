import { describe, expect, it } from 'vitest';
import { auroc } from '../../../src/core/metrics';
import { createRng } from '../../../src/core/random';
import { DELONG_TEST, delongTest, delongVariance, normalCdf, structuralComponents } from '../../../src/core/stats';

// Hand example. Positives X, negatives Y; ψ(x, y) = 1 if x > y, ½ if equal, 0 otherwise.
// Model A: X = [0.9, 0.8, 0.4], Y = [0.7, 0.3]
//   V10 = [1, 1, ½] (AUC 5/6), V01 = [2/3, 1]
//   S10 = var[1, 1, ½] = 1/12, S01 = var[2/3, 1] = 1/18, Var = S10/3 + S01/2 = 1/18
// Model B: X = [0.6, 0.3, 0.9], Y = [0.5, 0.4]
//   V10 = [1, 0, 1] (AUC 2/3), V01 = [2/3, 2/3]
//   S10_B = 1/3, Cov10(A, B) = −1/12, S01_B = 0, Cov01 = 0
//   Var(B − A) = (1/12 + 1/3 + 2/12)/3 + (1/18)/2 = 2/9
const labels = [1, 1, 1, 0, 0];
const scoresA = [0.9, 0.8, 0.4, 0.7, 0.3];
const scoresB = [0.6, 0.3, 0.9, 0.5, 0.4];

describe('DeLong', () => {
  it('structural components and variance of one curve match the hand computation', () => {
    const c = structuralComponents(labels, scoresA)!;
    expect(Array.from(c.v10)).toEqual([1, 1, 0.5]);
    expect(c.v01[0]).toBeCloseTo(2 / 3, 14);
    expect(c.v01[1]).toBe(1);
    const v = delongVariance(labels, scoresA)!;
    expect(v.auroc).toBeCloseTo(5 / 6, 14);
    expect(v.variance).toBeCloseTo(1 / 18, 14);
  });

  it('test of two correlated curves matches the hand computation', () => {
    const r = delongTest(labels, scoresA, scoresB)!;
    expect(r.baselineAuroc).toBeCloseTo(5 / 6, 14);
    expect(r.augmentedAuroc).toBeCloseTo(2 / 3, 14);
    expect(r.difference).toBeCloseTo(-1 / 6, 14);
    expect(r.variance).toBeCloseTo(2 / 9, 14);
    const z = -1 / 6 / Math.sqrt(2 / 9);
    expect(r.z).toBeCloseTo(z, 13);
    expect(r.p!).toBeCloseTo(2 * normalCdf(-Math.abs(z)), 13);
    expect(r.p!).toBeCloseTo(0.7236736, 6);
    expect(r.test).toBe(DELONG_TEST);
  });

  it('fast components equal the O(mn) definition on data with many ties', () => {
    const rng = createRng(99);
    const n = 300;
    const y = Array.from({ length: n }, () => (rng.next() < 0.35 ? 1 : 0));
    const s = y.map((v) => Math.round((rng.normal() + v) * 4) / 4);
    const pos = s.filter((_, i) => y[i] === 1), neg = s.filter((_, i) => y[i] === 0);
    const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
    const v10 = pos.map((x) => neg.reduce((t, yy) => t + psi(x, yy), 0) / neg.length);
    const v01 = neg.map((yy) => pos.reduce((t, x) => t + psi(x, yy), 0) / pos.length);
    const c = structuralComponents(y, s)!;
    v10.forEach((v, i) => expect(c.v10[i]).toBeCloseTo(v, 14));
    v01.forEach((v, i) => expect(c.v01[i]).toBeCloseTo(v, 14));
    expect(c.auroc).toBeCloseTo(auroc(y, s)!, 14);
    const variance = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
    };
    expect(delongVariance(y, s)!.variance).toBeCloseTo(variance(v10) / v10.length + variance(v01) / v01.length, 14);
  });

  it('identical curves: difference 0, p = 1', () => {
    const r = delongTest(labels, scoresA, scoresA)!;
    expect(r.difference).toBe(0);
    expect(r.p).toBe(1);
  });

  it('is null with one class or fewer than two of a class', () => {
    expect(delongTest([1, 1, 1], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1])).toBeNull();
    expect(delongTest([1, 0, 0], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1])).toBeNull();
  });
});
