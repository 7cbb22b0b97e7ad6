// Paired stratified bootstrap of the difference augmented − baseline on the same test
// images: each resample draws one multiset of images and scores both models on it, so
// the correlation between the models is kept.
import type { Interval } from '../metrics/clopper-pearson';
import type { ModelScores } from './prepared-sample';
import { methodOf, type BootstrapMethod, type BootstrapOptions } from './bootstrap';
import { bcaInterval, percentileInterval, sortedFinite, standardDeviation } from './intervals';
import { jackknifeValues } from './jackknife';
import { BOOTSTRAP_METRICS, type BootstrapMetric } from './metric-set';
import type { PValue } from './p-value';
import { prepareSample, type PreparedSample } from './prepared-sample';
import { pointEstimates, replicatesOf, runResamples, type ReplicateBlock } from './resample-engine';

export const PAIRED_BOOTSTRAP_TEST =
  'paired stratified bootstrap, two-sided (2·min share of resampled differences ≤ 0 or ≥ 0, (1+k)/(B+1) form)';

export interface MetricDifference {
  baseline: number | null;
  augmented: number | null;
  /** augmented − baseline */
  difference: number | null;
  standardError: number | null;
  percentile: Interval | null;
  bca: Interval | null;
  p: PValue;
}

export type MetricDifferences = Record<BootstrapMetric, MetricDifference>;

export interface PairedBootstrapResult extends BootstrapMethod {
  baselineThreshold: number;
  augmentedThreshold: number;
  metrics: MetricDifferences;
}

/**
 * Two-sided bootstrap p-value for "no difference": p = min(1, 2·min(k≤, k≥)) with
 * k≤ = (1 + #{Δ*_b ≤ 0})/(B + 1) and k≥ likewise; this is the smallest α at which the
 * equal-tailed percentile interval excludes 0, with the +1 correction (Davison & Hinkley
 * 1997, §4.4) so a finite number of resamples never gives p = 0.
 */
export function bootstrapDifferencePValue(differences: ArrayLike<number>): number {
  let atOrBelow = 0, atOrAbove = 0;
  for (let i = 0; i < differences.length; i++) {
    if (differences[i] <= 0) atOrBelow++;
    if (differences[i] >= 0) atOrAbove++;
  }
  const b = differences.length;
  return Math.min(1, (2 * (1 + Math.min(atOrBelow, atOrAbove))) / (b + 1));
}

/** Differences from a complete block of a two-model sample (model 0 baseline, model 1 augmented). */
export function summarisePairedBootstrap(sample: PreparedSample, block: ReplicateBlock, confidence: number): MetricDifferences {
  if (sample.models.length !== 2) throw new RangeError('paired bootstrap needs exactly two models');
  const [baseEstimates, augEstimates] = pointEstimates(sample);
  const baseJack = jackknifeValues(sample, 0);
  const augJack = jackknifeValues(sample, 1);
  const count = block.end - block.start;
  const entries = BOOTSTRAP_METRICS.map((name, r) => {
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const baseline = finite(baseEstimates[r]), augmented = finite(augEstimates[r]);
    const difference = baseline !== null && augmented !== null ? augmented - baseline : null;
    const baseReps = replicatesOf(block, 0, r), augReps = replicatesOf(block, 1, r);
    const deltas = new Float64Array(count);
    for (let b = 0; b < count; b++) deltas[b] = augReps[b] - baseReps[b];
    const jackDeltas = new Float64Array(sample.n);
    for (let i = 0; i < sample.n; i++) jackDeltas[i] = augJack[r][i] - baseJack[r][i];
    const sorted = sortedFinite(deltas);
    const result: MetricDifference = {
      baseline,
      augmented,
      difference,
      standardError: sorted ? standardDeviation(sorted) : null,
      percentile: sorted ? percentileInterval(sorted, confidence) : null,
      bca: sorted && difference !== null ? bcaInterval(sorted, difference, jackDeltas, confidence) : null,
      p: { p: sorted ? bootstrapDifferencePValue(sorted) : null, test: PAIRED_BOOTSTRAP_TEST },
    };
    return [name, result] as const;
  });
  return Object.fromEntries(entries) as MetricDifferences;
}

/** Single-threaded convenience: prepare, resample both models together, summarise. */
export function pairedBootstrap(
  labels: ArrayLike<number>,
  baseline: ModelScores,
  augmented: ModelScores,
  options: BootstrapOptions,
): PairedBootstrapResult {
  const method = methodOf(options);
  const sample = prepareSample(labels, [baseline, augmented]);
  const block = runResamples(sample, { ...options, start: 0, end: method.resamples });
  return {
    ...method,
    baselineThreshold: baseline.threshold,
    augmentedThreshold: augmented.threshold,
    metrics: summarisePairedBootstrap(sample, block, method.confidence),
  };
}
