// Stratified bootstrap confidence intervals (percentile and BCa) for every metric of one
// model at a fixed threshold. The threshold is not re-chosen per resample: it was fixed
// on validation data, which the test-set bootstrap does not resample.
import type { Interval } from '../metrics/clopper-pearson';
import { bcaInterval, percentileInterval, sortedFinite, standardDeviation } from './intervals';
import { jackknifeValues } from './jackknife';
import { BOOTSTRAP_METRICS, type BootstrapMetric } from './metric-set';
import { prepareSample, type PreparedSample } from './prepared-sample';
import { pointEstimates, replicatesOf, runResamples, type ReplicateBlock } from './resample-engine';

export const DEFAULT_RESAMPLES = 2000;

export interface BootstrapOptions {
  seed: number;
  /** default 2000 */
  resamples?: number;
  /** default 0.95 */
  confidence?: number;
  chunkSize?: number;
  onChunk?: (done: number, total: number) => void;
  shouldStop?: () => boolean;
}

export interface BootstrapMethod {
  method: 'stratified bootstrap (positives and negatives resampled separately)';
  resamples: number;
  seed: number;
  confidence: number;
}

export interface MetricInterval {
  /** the metric on the test set itself */
  estimate: number | null;
  /** standard deviation of the replicates */
  standardError: number | null;
  /** null when the metric is undefined in some resample */
  percentile: Interval | null;
  /** bias-corrected and accelerated; null also when z0 or the acceleration is undefined */
  bca: Interval | null;
}

export type MetricIntervals = Record<BootstrapMetric, MetricInterval>;

export interface BootstrapResult extends BootstrapMethod {
  threshold: number;
  metrics: MetricIntervals;
}

export function methodOf(options: BootstrapOptions): BootstrapMethod {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 2) throw new RangeError(`resamples must be an integer ≥ 2, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return { method: 'stratified bootstrap (positives and negatives resampled separately)', resamples, seed: options.seed, confidence };
}

/** Intervals for one model from a complete replicate block (e.g. merged from workers). */
export function summariseBootstrap(sample: PreparedSample, block: ReplicateBlock, modelIndex: number, confidence: number): MetricIntervals {
  const estimates = pointEstimates(sample)[modelIndex];
  const jackknife = jackknifeValues(sample, modelIndex);
  const entries = BOOTSTRAP_METRICS.map((name, r) => {
    const estimate = Number.isFinite(estimates[r]) ? estimates[r] : null;
    const replicates = replicatesOf(block, modelIndex, r);
    const sorted = sortedFinite(replicates);
    const interval: MetricInterval = {
      estimate,
      standardError: sorted ? standardDeviation(sorted) : null,
      percentile: sorted ? percentileInterval(sorted, confidence) : null,
      bca: sorted && estimate !== null ? bcaInterval(sorted, estimate, jackknife[r], confidence) : null,
    };
    return [name, interval] as const;
  });
  return Object.fromEntries(entries) as MetricIntervals;
}

/** Single-threaded convenience: prepare, resample, summarise. */
export function bootstrapMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number, options: BootstrapOptions): BootstrapResult {
  const method = methodOf(options);
  const sample = prepareSample(labels, [{ scores, threshold }]);
  const block = runResamples(sample, { ...options, start: 0, end: method.resamples });
  return { ...method, threshold, metrics: summariseBootstrap(sample, block, 0, method.confidence) };
}
