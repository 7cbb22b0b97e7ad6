// The test set made ready for resampling: one sort per model, done once. Plain typed
// arrays only, so it can be posted to a worker (or rebuilt there from the same inputs).
import { orderByScoreDescending } from '../metrics/score-groups';
import { checkBinaryInputs } from '../metrics/validate';

export interface ModelScores {
  scores: ArrayLike<number>;
  /** prediction positive when score >= threshold */
  threshold: number;
}

export interface PreparedModel {
  threshold: number;
  /** image indices by decreasing score */
  order: Int32Array;
  /** labels in that order */
  sortedLabels: Uint8Array;
  /** −1 for a positive, 0 for a negative, in that order (for branch-free weighted sums) */
  positiveMask: Int32Array;
  /** exclusive end position in `order` of each group of equal scores */
  groupEnd: Int32Array;
  /** number of leading groups predicted positive (score >= threshold) */
  positiveGroups: number;
}

export interface PreparedSample {
  n: number;
  labels: Uint8Array;
  /** indices of positive images (resampled among themselves: stratified bootstrap) */
  positives: Int32Array;
  negatives: Int32Array;
  models: PreparedModel[];
}

export function prepareSample(labels: ArrayLike<number>, models: readonly ModelScores[]): PreparedSample {
  if (models.length === 0) throw new RangeError('prepareSample: at least one model');
  const n = labels.length;
  const labelBytes = new Uint8Array(n);
  let positiveCount = 0;
  for (let i = 0; i < n; i++) {
    labelBytes[i] = labels[i];
    positiveCount += labels[i];
  }
  const positives = new Int32Array(positiveCount);
  const negatives = new Int32Array(n - positiveCount);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (labelBytes[i] === 1) positives[p++] = i;
    else negatives[q++] = i;
  }
  return { n, labels: labelBytes, positives, negatives, models: models.map((m) => prepareModel(labels, m)) };
}

function prepareModel(labels: ArrayLike<number>, { scores, threshold }: ModelScores): PreparedModel {
  checkBinaryInputs(labels, scores);
  if (Number.isNaN(threshold)) throw new RangeError('threshold is NaN');
  const order = orderByScoreDescending(scores);
  const n = order.length;
  const sortedLabels = new Uint8Array(n);
  const positiveMask = new Int32Array(n);
  const ends: number[] = [];
  let positiveGroups = 0;
  for (let k = 0; k < n; k++) {
    sortedLabels[k] = labels[order[k]];
    positiveMask[k] = -sortedLabels[k];
    if (k + 1 === n || scores[order[k + 1]] !== scores[order[k]]) {
      ends.push(k + 1);
      if (scores[order[k]] >= threshold) positiveGroups = ends.length;
    }
  }
  return { threshold, order, sortedLabels, positiveMask, groupEnd: Int32Array.from(ends), positiveGroups };
}
