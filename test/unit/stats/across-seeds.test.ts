import { describe, expect, it } from 'vitest';
import { compareAcrossSeeds, meanAndSd, pairedTTest, PAIRED_T_TEST, wilcoxonSignedRankExact } from '../../../src/core/stats';

describe('across seeds', () => {
  it('mean ± sample SD, nulls left out', () => {
    const r = meanAndSd([2, 4, 4, 4, 5, 5, 7, 9, null]);
    expect(r.n).toBe(8);
    expect(r.mean).toBe(5);
    expect(r.sd).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(meanAndSd([3]).sd).toBeNull();
  });

  it("paired t-test reproduces Student's sleep data (R: t = 4.0621, df = 9, p = 0.002833)", () => {
    const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const r = pairedTTest(group1, group2);
    expect(r.meanDifference).toBeCloseTo(1.58, 12);
    expect(r.t!).toBeCloseTo(4.0621, 4);
    expect(r.df).toBe(9);
    expect(r.p!).toBeCloseTo(0.002833, 6);
    expect(r.test).toBe(PAIRED_T_TEST);
  });

  it('paired t-test p is null for zero-variance differences or fewer than two pairs', () => {
    expect(pairedTTest([1, 2, 3], [2, 3, 4]).p).toBeNull();
    expect(pairedTTest([1], [2]).p).toBeNull();
    expect(() => pairedTTest([1, 2], [1])).toThrow();
  });

  it('Wilcoxon exact: all five differences positive gives 2/2⁵', () => {
    const r = wilcoxonSignedRankExact([0, 0, 0, 0, 0], [1, 2, 3, 4, 5]);
    expect(r.wPlus).toBe(15);
    expect(r.p).toBeCloseTo(0.0625, 14);
  });

  it('Wilcoxon exact: one negative of rank 2 among 8 gives 2·3/2⁸', () => {
    // W− = 2; subsets of {1..8} with rank sum ≤ 2: {}, {1}, {2}.
    const r = wilcoxonSignedRankExact(Array(8).fill(0), [1, -2, 3, 4, 5, 6, 7, 8]);
    expect(r.wPlus).toBe(34);
    expect(r.p).toBeCloseTo(6 / 256, 14);
  });

  it('Wilcoxon exact with ties and zeros: zeros dropped, midranks', () => {
    // d = [0, 1, 1, 2] → [1, 1, 2], ranks 1.5, 1.5, 3, all positive: P(W+ ≥ 6) = 1/8.
    const r = wilcoxonSignedRankExact([0, 0, 0, 0], [0, 1, 1, 2]);
    expect(r.n).toBe(3);
    expect(r.wPlus).toBe(6);
    expect(r.p).toBeCloseTo(0.25, 14);
  });

  it('compares every metric across seed pairs', () => {
    const baseline = [{ youden: 0.5, auroc: 0.8 }, { youden: 0.6, auroc: null }, { youden: 0.55, auroc: 0.82 }];
    const augmented = [{ youden: 0.6, auroc: 0.85 }, { youden: 0.62, auroc: 0.9 }, { youden: 0.7, auroc: 0.83 }];
    const r = compareAcrossSeeds(['youden', 'auroc'] as const, baseline, augmented);
    // youden differences 0.1, 0.02, 0.15: mean 0.09
    expect(r.youden.difference.mean).toBeCloseTo(0.09, 12);
    expect(r.youden.baseline.mean).toBeCloseTo(0.55, 12);
    expect(r.youden.pairedT.df).toBe(2);
    // the null AUROC drops that pair from the differences but not the other arm's mean
    expect(r.auroc.difference.n).toBe(2);
    expect(r.auroc.augmented.n).toBe(3);
    expect(r.auroc.wilcoxon.p).toBeCloseTo(0.5, 14); // both positive, n = 2: 2·(1/4)
  });
});
