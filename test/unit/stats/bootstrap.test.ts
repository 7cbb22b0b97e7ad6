import { describe, expect, it } from 'vitest';
import { binaryMetrics, type BinaryMetrics } from '../../../src/core/metrics';
import { JobCancelledError } from '../../../src/core/jobs';
import { createRng } from '../../../src/core/random';
import {
  BOOTSTRAP_METRICS,
  bootstrapMetrics,
  jackknifeValues,
  mergeReplicateBlocks,
  prepareSample,
  replicatesOf,
  resampleCounts,
  runResamples,
  splitResampleRange,
  summariseBootstrap,
} from '../../../src/core/stats';

function simulated(n: number, seed: number, separation = 1.2, prevalence = 0.4) {
  const rng = createRng(seed);
  const labels: number[] = [], scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.next() < prevalence ? 1 : 0;
    labels.push(y);
    // Two decimals: plenty of tied scores, including at the threshold.
    scores.push(Math.round(100 / (1 + Math.exp(-(rng.normal() + separation * y - 0.6)))) / 100);
  }
  return { labels, scores };
}

describe('stratified bootstrap', () => {
  const data = simulated(400, 1);

  it('is deterministic for a seed and changes with the seed', () => {
    const a = bootstrapMetrics(data.labels, data.scores, 0.5, { seed: 5, resamples: 200 });
    const b = bootstrapMetrics(data.labels, data.scores, 0.5, { seed: 5, resamples: 200 });
    const c = bootstrapMetrics(data.labels, data.scores, 0.5, { seed: 6, resamples: 200 });
    expect(b).toEqual(a);
    expect(c.metrics.auroc.percentile).not.toEqual(a.metrics.auroc.percentile);
  });

  it('gives identical replicates however the resample range is split and merged', () => {
    const sample = prepareSample(data.labels, [{ scores: data.scores, threshold: 0.5 }]);
    const whole = runResamples(sample, { seed: 9, end: 300 });
    const parts = [
      runResamples(sample, { seed: 9, start: 170, end: 300, chunkSize: 7 }),
      runResamples(sample, { seed: 9, start: 0, end: 45, chunkSize: 1 }),
      runResamples(sample, { seed: 9, start: 45, end: 170 }),
    ];
    expect(Array.from(mergeReplicateBlocks(parts).values)).toEqual(Array.from(whole.values));
    expect(() => mergeReplicateBlocks([parts[0], parts[1]])).toThrow(/missing or overlapping/);
  });

  it('splits a job into worker ranges that tile it', () => {
    expect(splitResampleRange(2000, 3)).toEqual([{ start: 0, end: 666 }, { start: 666, end: 1333 }, { start: 1333, end: 2000 }]);
    expect(splitResampleRange(2, 4)).toEqual([{ start: 0, end: 1 }, { start: 1, end: 2 }]);
    const sample = prepareSample(data.labels, [{ scores: data.scores, threshold: 0.5 }]);
    const blocks = splitResampleRange(120, 4).map((r) => runResamples(sample, { seed: 4, ...r }));
    expect(mergeReplicateBlocks(blocks).values).toEqual(runResamples(sample, { seed: 4, end: 120 }).values);
  });

  it('reports progress per chunk and stops when asked', () => {
    const sample = prepareSample(data.labels, [{ scores: data.scores, threshold: 0.5 }]);
    const seen: [number, number][] = [];
    runResamples(sample, { seed: 1, start: 10, end: 35, chunkSize: 10, onChunk: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([[10, 25], [20, 25], [25, 25]]);
    let checks = 0;
    expect(() => runResamples(sample, { seed: 1, end: 100, chunkSize: 10, shouldStop: () => ++checks > 3 })).toThrow(JobCancelledError);
    expect(checks).toBe(4);
  });

  it('keeps class sizes in every resample, and each replicate equals binaryMetrics on that resample', () => {
    const sample = prepareSample(data.labels, [{ scores: data.scores, threshold: 0.5 }]);
    const block = runResamples(sample, { seed: 3, start: 20, end: 25 });
    const positives = data.labels.filter((y) => y === 1).length;
    const counts = new Int32Array(data.labels.length);
    for (let b = 20; b < 25; b++) {
      resampleCounts(sample, 3, b, counts);
      const labels: number[] = [], scores: number[] = [];
      counts.forEach((c, i) => {
        for (let k = 0; k < c; k++) {
          labels.push(data.labels[i]);
          scores.push(data.scores[i]);
        }
      });
      expect(labels.length).toBe(data.labels.length);
      expect(labels.filter((y) => y === 1).length).toBe(positives);
      const m = binaryMetrics(labels, scores, 0.5);
      BOOTSTRAP_METRICS.forEach((name, r) => {
        expect(replicatesOf(block, 0, r)[b - 20]).toBeCloseTo(m[name as keyof BinaryMetrics] as number, 12);
      });
    }
  });

  it('point estimates equal binaryMetrics on the test set', () => {
    const r = bootstrapMetrics(data.labels, data.scores, 0.5, { seed: 1, resamples: 50 });
    const m = binaryMetrics(data.labels, data.scores, 0.5);
    for (const name of BOOTSTRAP_METRICS) expect(r.metrics[name].estimate).toBeCloseTo(m[name as keyof BinaryMetrics] as number, 12);
  });

  it('sensitivity standard error matches the binomial √(p(1−p)/P)', () => {
    const big = simulated(2000, 2);
    const r = bootstrapMetrics(big.labels, big.scores, 0.5, { seed: 11, resamples: 2000 });
    const p = r.metrics.sensitivity.estimate!;
    const positives = big.labels.filter((y) => y === 1).length;
    const expected = Math.sqrt((p * (1 - p)) / positives);
    expect(r.metrics.sensitivity.standardError!).toBeGreaterThan(0.93 * expected);
    expect(r.metrics.sensitivity.standardError!).toBeLessThan(1.07 * expected);
    // Every interval brackets its estimate.
    for (const name of BOOTSTRAP_METRICS) {
      const { estimate, percentile, bca } = r.metrics[name];
      expect(percentile![0]).toBeLessThanOrEqual(estimate!);
      expect(percentile![1]).toBeGreaterThanOrEqual(estimate!);
      expect(bca![0]).toBeLessThanOrEqual(estimate! + 1e-12);
      expect(bca![1]).toBeGreaterThanOrEqual(estimate! - 1e-12);
    }
  });

  it('BCa ≈ percentile when the sampling distribution is symmetric', () => {
    // Sensitivity 0.5 on many positives: the binomial is symmetric, z0 ≈ 0 and a ≈ 0.
    const labels: number[] = [], scores: number[] = [];
    for (let i = 0; i < 1000; i++) {
      labels.push(1);
      scores.push(i % 2 ? 0.9 : 0.1);
      labels.push(0);
      scores.push(i % 3 ? 0.2 : 0.8);
    }
    const r = bootstrapMetrics(labels, scores, 0.5, { seed: 4, resamples: 2000 });
    const { percentile, bca } = r.metrics.sensitivity;
    expect(Math.abs(bca![0] - percentile![0])).toBeLessThan(0.004);
    expect(Math.abs(bca![1] - percentile![1])).toBeLessThan(0.004);
    // and the interval is about ±1.96·√(¼/1000)
    expect(percentile![1] - percentile![0]).toBeCloseTo(2 * 1.96 * Math.sqrt(0.25 / 1000), 2);
  });

  it('leaves intervals null when a metric is undefined', () => {
    const r = bootstrapMetrics([1, 1, 1, 1], [0.2, 0.6, 0.7, 0.9], 0.5, { seed: 1, resamples: 20 });
    expect(r.metrics.auroc.estimate).toBeNull();
    expect(r.metrics.auroc.percentile).toBeNull();
    expect(r.metrics.specificity.bca).toBeNull();
    expect(r.metrics.sensitivity.percentile).not.toBeNull();
  });

  it('summarising a merged block gives the same intervals as one run', () => {
    const sample = prepareSample(data.labels, [{ scores: data.scores, threshold: 0.45 }]);
    const merged = mergeReplicateBlocks([runResamples(sample, { seed: 2, start: 100, end: 200 }), runResamples(sample, { seed: 2, end: 100 })]);
    const direct = bootstrapMetrics(data.labels, data.scores, 0.45, { seed: 2, resamples: 200 });
    expect(summariseBootstrap(sample, merged, 0, 0.95)).toEqual(direct.metrics);
  });
});

describe('jackknife', () => {
  it('fast leave-one-out values equal recomputing every metric without each image', () => {
    const { labels, scores } = simulated(80, 8);
    const sample = prepareSample(labels, [{ scores, threshold: 0.5 }]);
    const fast = jackknifeValues(sample, 0);
    for (let i = 0; i < labels.length; i++) {
      const m = binaryMetrics(labels.filter((_, j) => j !== i), scores.filter((_, j) => j !== i), 0.5);
      BOOTSTRAP_METRICS.forEach((name, r) => {
        const want = m[name as keyof BinaryMetrics] as number | null;
        if (want === null) expect(Number.isNaN(fast[r][i])).toBe(true);
        else expect(fast[r][i]).toBeCloseTo(want, 12);
      });
    }
  });

  it('marks AUROC undefined when the only positive is left out', () => {
    const sample = prepareSample([1, 0, 0], [{ scores: [0.9, 0.2, 0.2], threshold: 0.5 }]);
    const auroc = jackknifeValues(sample, 0)[BOOTSTRAP_METRICS.indexOf('auroc')];
    expect(Number.isNaN(auroc[0])).toBe(true);
    expect(auroc[1]).toBe(1);
  });
});
