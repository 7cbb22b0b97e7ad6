// The stratified bootstrap engine. A resample is a multiset of image indices, kept as a
// count per image; positives and negatives are drawn separately so every resample keeps
// the original class sizes. Per model one pass over the score order (sorted once) gives
// the confusion table at the threshold, the Mann–Whitney AUROC with tied pairs counted ½,
// and average precision — the same formulas as src/core/metrics, with integer weights.
//
// Resample b always uses createRng(deriveSeed(seed, b)), so a job split into resample
// ranges across workers and merged gives exactly the result of one uninterrupted run.
import { metricsFromCounts } from '../metrics/confusion';
import { JobCancelledError } from '../jobs';
import { createRng, deriveSeed } from '../random';
import { AUROC_ROW, AVERAGE_PRECISION_ROW, BOOTSTRAP_METRICS, COUNT_METRICS, METRIC_COUNT } from './metric-set';
import type { PreparedModel, PreparedSample } from './prepared-sample';

/**
 * Metric values of resamples [start, end) for every model. `values` is laid out
 * model-major, then metric (BOOTSTRAP_METRICS order), then resample:
 * values[(model · METRIC_COUNT + metric) · count + (b − start)]. Undefined values are NaN.
 */
export interface ReplicateBlock {
  seed: number;
  start: number;
  end: number;
  modelCount: number;
  values: Float64Array;
}

export interface ResampleOptions {
  seed: number;
  /** first resample index (inclusive); default 0 */
  start?: number;
  /** last resample index (exclusive) */
  end: number;
  /** resamples between progress reports and cancellation checks; default 50 */
  chunkSize?: number;
  onChunk?: (done: number, total: number) => void;
  /** checked between chunks; when it returns true a JobCancelledError is thrown */
  shouldStop?: () => boolean;
}

export function runResamples(sample: PreparedSample, options: ResampleOptions): ReplicateBlock {
  const { seed, end, chunkSize = 50, onChunk, shouldStop } = options;
  const start = options.start ?? 0;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new RangeError(`runResamples: bad resample range [${start}, ${end})`);
  }
  const count = end - start;
  const modelCount = sample.models.length;
  const values = new Float64Array(modelCount * METRIC_COUNT * count);
  const counts = new Int32Array(sample.n);
  const nPos = sample.positives.length, nNeg = sample.negatives.length;

  for (let chunkStart = start; chunkStart < end; chunkStart += chunkSize) {
    if (shouldStop?.()) throw new JobCancelledError();
    const chunkEnd = Math.min(end, chunkStart + chunkSize);
    for (let b = chunkStart; b < chunkEnd; b++) {
      resampleCounts(sample, seed, b, counts);
      for (let m = 0; m < modelCount; m++) {
        writeWeightedMetrics(sample.models[m], counts, nPos, nNeg, values, m * METRIC_COUNT * count, count, b - start);
      }
    }
    onChunk?.(chunkEnd - start, count);
  }
  return { seed, start, end, modelCount, values };
}

/**
 * How often each image occurs in resample b (written into `counts`, length n): P draws
 * among the positives and N among the negatives, from createRng(deriveSeed(seed, b)).
 */
export function resampleCounts(sample: PreparedSample, seed: number, b: number, counts: Int32Array): void {
  const next = createRng(deriveSeed(seed, b)).nextUint32;
  counts.fill(0);
  drawWithReplacement(next, sample.positives, counts);
  drawWithReplacement(next, sample.negatives, counts);
}

/** Metric values of the original sample (every image once), in BOOTSTRAP_METRICS order per model. */
export function pointEstimates(sample: PreparedSample): Float64Array[] {
  const ones = new Int32Array(sample.n).fill(1);
  return sample.models.map((model) => {
    const out = new Float64Array(METRIC_COUNT);
    writeWeightedMetrics(model, ones, sample.positives.length, sample.negatives.length, out, 0, 1, 0);
    return out;
  });
}

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;

/**
 * Adds one to counts[pool[j]] for pool.length uniform draws of j. Indices come from
 * Lemire's multiply-and-reject mapping of a 32-bit draw (exactly uniform, and without the
 * two divisions per draw of Rng.int); n·2³² stays below 2⁵³, so the float arithmetic is exact.
 */
function drawWithReplacement(next: () => number, pool: Int32Array, counts: Int32Array): void {
  const n = pool.length;
  if (n === 0) return;
  if (n >= 1 << 21) throw new RangeError('bootstrap: at most 2^21 images per class');
  const rejectBelow = TWO_POW_32 % n;
  for (let k = 0; k < n; k++) {
    let m = next() * n;
    let high = Math.floor(m * TWO_POW_MINUS_32);
    // Rejecting low words below 2³² mod n removes the bias of the mapping.
    while (m - high * TWO_POW_32 < rejectBelow) {
      m = next() * n;
      high = Math.floor(m * TWO_POW_MINUS_32);
    }
    counts[pool[high]]++;
  }
}

function writeWeightedMetrics(
  model: PreparedModel,
  weights: Int32Array,
  nPos: number,
  nNeg: number,
  out: Float64Array,
  base: number,
  stride: number,
  column: number,
): void {
  const { order, positiveMask, groupEnd, positiveGroups } = model;
  let cumPos = 0, cumAll = 0, u = 0, apSum = 0, tp = 0, fp = 0;
  let k = 0;
  for (let g = 0; g < groupEnd.length; g++) {
    const endK = groupEnd[g];
    let pos = 0, all = 0;
    // Branch-free: the mask is −1 for positives, so w & mask is w or 0.
    for (; k < endK; k++) {
      const w = weights[order[k]];
      all += w;
      pos += w & positiveMask[k];
    }
    const neg = all - pos;
    u += neg * (cumPos + 0.5 * pos);
    cumPos += pos;
    cumAll += pos + neg;
    if (pos > 0) apSum += (pos * cumPos) / cumAll;
    if (g + 1 === positiveGroups) {
      tp = cumPos;
      fp = cumAll - cumPos;
    }
  }
  const m = metricsFromCounts({ tp, fp, fn: nPos - tp, tn: nNeg - fp });
  for (let r = 0; r < COUNT_METRICS.length; r++) out[base + r * stride + column] = m[COUNT_METRICS[r]] ?? NaN;
  out[base + AUROC_ROW * stride + column] = nPos > 0 && nNeg > 0 ? u / (nPos * nNeg) : NaN;
  out[base + AVERAGE_PRECISION_ROW * stride + column] = nPos > 0 ? apSum / nPos : NaN;
}

/**
 * Splits resamples [0, total) into `parts` contiguous ranges of near-equal size, one per
 * worker; run each with the same seed and merge the blocks.
 */
export function splitResampleRange(total: number, parts: number): { start: number; end: number }[] {
  if (!Number.isInteger(total) || total < 0 || !Number.isInteger(parts) || parts < 1) {
    throw new RangeError(`splitResampleRange: need integers total ≥ 0 and parts ≥ 1, got ${total}, ${parts}`);
  }
  const ranges: { start: number; end: number }[] = [];
  for (let p = 0; p < parts; p++) {
    const start = Math.floor((p * total) / parts), end = Math.floor(((p + 1) * total) / parts);
    if (end > start) ranges.push({ start, end });
  }
  return ranges;
}

/** Replicates of one model and metric from a block (a view, not a copy). */
export function replicatesOf(block: ReplicateBlock, model: number, metric: number): Float64Array {
  const count = block.end - block.start;
  const offset = (model * METRIC_COUNT + metric) * count;
  return block.values.subarray(offset, offset + count);
}

/**
 * Joins blocks of one job (same seed and models) into one block. They must tile a range
 * [start, end) without gaps or overlaps; their order in the array does not matter.
 */
export function mergeReplicateBlocks(blocks: readonly ReplicateBlock[]): ReplicateBlock {
  if (blocks.length === 0) throw new RangeError('mergeReplicateBlocks: no blocks');
  const sorted = [...blocks].sort((a, b) => a.start - b.start);
  const { seed, modelCount } = sorted[0];
  for (let i = 0; i < sorted.length; i++) {
    const b = sorted[i];
    if (b.seed !== seed || b.modelCount !== modelCount) throw new Error('mergeReplicateBlocks: blocks come from different jobs');
    if (i > 0 && b.start !== sorted[i - 1].end) {
      throw new Error(`mergeReplicateBlocks: resamples [${sorted[i - 1].end}, ${b.start}) missing or overlapping`);
    }
  }
  const start = sorted[0].start, end = sorted[sorted.length - 1].end, count = end - start;
  const values = new Float64Array(modelCount * METRIC_COUNT * count);
  for (let m = 0; m < modelCount; m++) {
    for (let r = 0; r < BOOTSTRAP_METRICS.length; r++) {
      const row = (m * METRIC_COUNT + r) * count;
      for (const b of sorted) values.set(replicatesOf(b, m, r), row + (b.start - start));
    }
  }
  return { seed, start, end, modelCount, values };
}
