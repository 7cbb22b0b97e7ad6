// Bootstrap work of a report: stratified bootstrap intervals for every metric of every run
// and the paired bootstrap of every baseline/augmented pair. Pure and DOM-free: it runs in
// the stats worker (src/workers/stats.worker.ts) and in Node tests.
//
// A pair is resampled once with both models in the sample: the per-run intervals of its two
// runs come from the same replicate block as the differences (the resample of images
// depends only on labels, seed and resample index, not on the models), which halves the
// work and gives each run exactly what bootstrapMetrics(labels, scores, t, {seed}) gives
// on the same image order.
import {
  mergeReplicateBlocks,
  prepareSample,
  runResamples,
  splitResampleRange,
  summariseBootstrap,
  summarisePairedBootstrap,
  type MetricDifferences,
  type MetricIntervals,
  type ReplicateBlock,
} from '../core/stats';
import type { ReportModel } from './model';

export interface BootstrapSettings {
  resamples: number;
  seed: number;
  confidence: number;
}

/** One resampling unit: the test labels and one model (a lone run) or two (a pair). */
export interface BootstrapItem {
  /** run id for a lone run, pair key for a pair */
  key: string;
  kind: 'run' | 'pair';
  /** run ids, in model order (baseline first for a pair) */
  runIds: string[];
  labels: Uint8Array;
  models: { scores: Float64Array; threshold: number }[];
}

export interface BootstrapPlan {
  settings: BootstrapSettings;
  items: BootstrapItem[];
}

export interface ReportStats {
  settings: BootstrapSettings;
  method: 'stratified bootstrap (positives and negatives resampled separately)';
  /** by run id */
  runs: Record<string, MetricIntervals>;
  /** by pair key */
  pairs: Record<string, MetricDifferences>;
}

/** Every run appears in exactly one item: in its pair when it has one, else alone. */
export function planBootstrap(model: ReportModel): BootstrapPlan {
  const items: BootstrapItem[] = [];
  for (const task of model.tasks) {
    const paired = new Set<string>();
    for (const pair of task.pairs) {
      paired.add(pair.baselineRunId);
      paired.add(pair.augmentedRunId);
      items.push({
        key: pair.key,
        kind: 'pair',
        runIds: [pair.baselineRunId, pair.augmentedRunId],
        labels: pair.labels,
        models: [
          { scores: pair.baselineScores, threshold: pair.baselineThreshold },
          { scores: pair.augmentedScores, threshold: pair.augmentedThreshold },
        ],
      });
    }
    for (const run of task.runs) {
      if (paired.has(run.id)) continue;
      items.push({ key: run.id, kind: 'run', runIds: [run.id], labels: run.labels, models: [{ scores: run.scores, threshold: run.threshold.threshold }] });
    }
  }
  return { settings: { ...model.bootstrap }, items };
}

export interface RunPlanHooks {
  /** resamples done / total over the whole plan */
  onProgress?: (done: number, total: number, message: string) => void;
  /** awaited between chunks: lets a worker handle a cancel message (then throws) */
  between?: () => Promise<void>;
  /** how many resamples per chunk; default aims at chunks of about 2·10⁶ image draws */
  chunkSize?: (n: number) => number;
}

const defaultChunk = (n: number) => Math.max(5, Math.min(500, Math.floor(2e6 / Math.max(1, n))));

/**
 * Runs the plan chunk by chunk (so cancellation is noticed between chunks) and merges the
 * chunks: by construction of the engine the result equals one uninterrupted run.
 */
export async function runBootstrapPlan(plan: BootstrapPlan, hooks: RunPlanHooks = {}): Promise<ReportStats> {
  const { resamples, seed, confidence } = plan.settings;
  const total = plan.items.length * resamples;
  const out: ReportStats = { settings: plan.settings, method: 'stratified bootstrap (positives and negatives resampled separately)', runs: {}, pairs: {} };
  let done = 0;
  for (const [i, item] of plan.items.entries()) {
    const sample = prepareSample(item.labels, item.models);
    const chunk = (hooks.chunkSize ?? defaultChunk)(sample.n);
    const blocks: ReplicateBlock[] = [];
    const label = `${item.kind === 'pair' ? 'pair' : 'run'} ${i + 1}/${plan.items.length}: ${item.runIds.join(' vs ')}`;
    for (const range of splitResampleRange(resamples, Math.ceil(resamples / chunk))) {
      await hooks.between?.();
      blocks.push(runResamples(sample, { seed, start: range.start, end: range.end, chunkSize: range.end - range.start }));
      done += range.end - range.start;
      hooks.onProgress?.(done, total, label);
    }
    const block = mergeReplicateBlocks(blocks);
    item.runIds.forEach((runId, m) => (out.runs[runId] = summariseBootstrap(sample, block, m, confidence)));
    if (item.kind === 'pair') out.pairs[item.key] = summarisePairedBootstrap(sample, block, confidence);
  }
  return out;
}

/** True when stored stats were computed with these settings (so they can be reused). */
export function statsMatch(stats: ReportStats | null | undefined, settings: BootstrapSettings): stats is ReportStats {
  return !!stats && stats.settings.resamples === settings.resamples && stats.settings.seed === settings.seed && stats.settings.confidence === settings.confidence;
}
