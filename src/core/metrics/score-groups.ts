// Images grouped by distinct score, highest score first. Every ranking metric (ROC, PR,
// AUROC, average precision, DeLong, threshold search) walks these groups, so ties are
// handled once and the same way everywhere: a threshold never splits a group of equal scores.
import { checkBinaryInputs } from './validate';

export interface ScoreGroups {
  /** distinct scores, strictly decreasing */
  scores: Float64Array;
  /** number of positives with each distinct score */
  positives: Int32Array;
  /** number of negatives with each distinct score */
  negatives: Int32Array;
  totalPositives: number;
  totalNegatives: number;
}

/** Indices 0..n−1 ordered by decreasing score (ties by index, so the order is deterministic). */
export function orderByScoreDescending(scores: ArrayLike<number>): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}

export function groupByScore(labels: ArrayLike<number>, scores: ArrayLike<number>): ScoreGroups {
  checkBinaryInputs(labels, scores);
  const order = orderByScoreDescending(scores);
  const n = order.length;
  const distinct = new Float64Array(n);
  const positives = new Int32Array(n);
  const negatives = new Int32Array(n);
  let groups = 0;
  let totalPositives = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (k === 0 || scores[i] !== distinct[groups - 1]) distinct[groups++] = scores[i];
    if (labels[i] === 1) {
      positives[groups - 1]++;
      totalPositives++;
    } else negatives[groups - 1]++;
  }
  return {
    scores: distinct.slice(0, groups),
    positives: positives.slice(0, groups),
    negatives: negatives.slice(0, groups),
    totalPositives,
    totalNegatives: n - totalPositives,
  };
}
