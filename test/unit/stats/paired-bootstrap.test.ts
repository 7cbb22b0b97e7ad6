import { describe, expect, it } from 'vitest';
import { binaryMetrics } from '../../../src/core/metrics';
import { createRng } from '../../../src/core/random';
import { BOOTSTRAP_METRICS, bootstrapDifferencePValue, PAIRED_BOOTSTRAP_TEST, pairedBootstrap } from '../../../src/core/stats';

function twoModels(n: number, seed: number, baseShift: number, augShift: number) {
  const rng = createRng(seed);
  const labels: number[] = [], base: number[] = [], aug: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.next() < 0.4 ? 1 : 0;
    const shared = rng.normal(); // image difficulty, common to both models
    labels.push(y);
    base.push(1 / (1 + Math.exp(-(shared + 0.5 * rng.normal() + baseShift * y - 0.5))));
    aug.push(1 / (1 + Math.exp(-(shared + 0.5 * rng.normal() + augShift * y - 0.5))));
  }
  return { labels, base, aug };
}

describe('paired bootstrap of differences', () => {
  it('p-value definition on hand-made differences', () => {
    // k≤ = 1 + 1, k≥ = 1 + 3 → 2·2/5
    expect(bootstrapDifferencePValue([-1, 1, 2, 3])).toBeCloseTo(0.8, 14);
    // none ≤ 0 → 2·1/5
    expect(bootstrapDifferencePValue([1, 2, 3, 4])).toBeCloseTo(0.4, 14);
    expect(bootstrapDifferencePValue([0, 0, 0])).toBe(1);
  });

  it('identical models: every Δ is 0, CIs are [0, 0], p = 1', () => {
    const { labels, base } = twoModels(300, 1, 1.5, 1.5);
    const r = pairedBootstrap(labels, { scores: base, threshold: 0.5 }, { scores: base, threshold: 0.5 }, { seed: 3, resamples: 300 });
    for (const name of BOOTSTRAP_METRICS) {
      const d = r.metrics[name];
      expect(d.difference).toBe(0);
      expect(d.percentile).toEqual([0, 0]);
      expect(d.bca).toEqual([0, 0]);
      expect(d.p).toEqual({ p: 1, test: PAIRED_BOOTSTRAP_TEST });
    }
  });

  it('a clearly better model: Δ estimates match binaryMetrics, CI excludes 0, small p', () => {
    const { labels, base, aug } = twoModels(1500, 2, 1.0, 2.5);
    const r = pairedBootstrap(labels, { scores: base, threshold: 0.5 }, { scores: aug, threshold: 0.5 }, { seed: 7, resamples: 1000 });
    const mb = binaryMetrics(labels, base, 0.5), ma = binaryMetrics(labels, aug, 0.5);
    expect(r.metrics.auroc.difference!).toBeCloseTo(ma.auroc! - mb.auroc!, 12);
    expect(r.metrics.youden.difference!).toBeCloseTo(ma.youden! - mb.youden!, 12);
    expect(r.metrics.auroc.percentile![0]).toBeGreaterThan(0);
    expect(r.metrics.auroc.bca![0]).toBeGreaterThan(0);
    expect(r.metrics.auroc.p.p!).toBeLessThan(0.01);
    expect(r.metrics.youden.p.p!).toBeLessThan(0.01);
  });

  it('pairing narrows the interval compared with independent resampling', () => {
    // With a shared difficulty term, Var(Δ) is much smaller than Var(A) + Var(B).
    const { labels, base, aug } = twoModels(800, 3, 1.5, 1.7);
    const r = pairedBootstrap(labels, { scores: base, threshold: 0.5 }, { scores: aug, threshold: 0.5 }, { seed: 2, resamples: 500 });
    const se = r.metrics.auroc.standardError!;
    const single = pairedBootstrap(labels, { scores: base, threshold: 0.5 }, { scores: base, threshold: 0.5 }, { seed: 2, resamples: 500 });
    expect(single.metrics.auroc.standardError).toBe(0);
    expect(se).toBeGreaterThan(0);
    // independent-arm SE would be about √2 · SE(AUROC) ≈ 0.024 here; paired is far smaller
    expect(se).toBeLessThan(0.015);
  });
});
