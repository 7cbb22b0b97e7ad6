import { describe, expect, it } from 'vitest';
import { holmAdjust, mcnemarExact, mcnemarExactP, MCNEMAR_TEST } from '../../../src/core/stats';

describe('exact McNemar', () => {
  it('matches hand-computed binomial tails', () => {
    expect(mcnemarExactP(1, 6)).toBeCloseTo(0.125, 13); // 2·(1+7)/2⁷
    expect(mcnemarExactP(6, 1)).toBeCloseTo(0.125, 13);
    expect(mcnemarExactP(0, 5)).toBeCloseTo(0.0625, 13); // 2/2⁵
    expect(mcnemarExactP(0, 1)).toBe(1); // 2·½, exactly
    expect(mcnemarExactP(3, 3)).toBe(1);
    // n > 1000 takes the incomplete-beta path: symmetric and tiny for a lopsided table
    expect(mcnemarExactP(400, 700)).toBeCloseTo(mcnemarExactP(700, 400), 15);
    expect(mcnemarExactP(400, 700)).toBeLessThan(1e-15);
    expect(mcnemarExactP(2, 10)).toBeCloseTo((2 * (1 + 12 + 66)) / 4096, 13);
    expect(mcnemarExactP(4, 4)).toBe(1);
  });
  it('is 1 without discordant pairs', () => {
    expect(mcnemarExactP(0, 0)).toBe(1);
  });
  it('counts discordant correctness from predictions and names its test', () => {
    // image:         0    1    2    3    4    5    6
    const labels = [1, 1, 0, 0, 1, 0, 1];
    const base = [0.9, 0.2, 0.6, 0.1, 0.4, 0.7, 0.3]; // correct: y n n y n n n
    const aug = [0.8, 0.7, 0.2, 0.6, 0.9, 0.1, 0.6]; //  correct: y y y n y y y
    const r = mcnemarExact(labels, { scores: base, threshold: 0.5 }, { scores: aug, threshold: 0.5 });
    expect(r.bothCorrect).toBe(1);
    expect(r.baselineOnlyCorrect).toBe(1);
    expect(r.augmentedOnlyCorrect).toBe(5);
    expect(r.bothWrong).toBe(0);
    expect(r.p).toBeCloseTo((2 * (1 + 6)) / 64, 13);
    expect(r.test).toBe(MCNEMAR_TEST);
  });
});

describe('Holm step-down adjustment', () => {
  it('matches the hand computation', () => {
    // sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max(0.06, 0.04) = 0.06
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adj[0]).toBeCloseTo(0.03, 14);
    expect(adj[1]).toBeCloseTo(0.06, 14);
    expect(adj[2]).toBeCloseTo(0.06, 14);
    expect(adj[3]).toBeCloseTo(0.02, 14);
  });
  it('leaves nulls out of the family and caps at 1', () => {
    expect(holmAdjust([0.2, null, 0.6])).toEqual([0.4, null, 0.6]);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
  });
});
