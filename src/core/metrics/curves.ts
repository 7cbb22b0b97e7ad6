// ROC and precision–recall curve points in sklearn's layout, so they can be checked
// against sklearn and plotted directly.
import { groupByScore } from './score-groups';

export interface RocCurve {
  /** false positive rate, increasing; starts at 0 */
  fpr: number[];
  /** true positive rate, increasing; starts at 0 */
  tpr: number[];
  /** decreasing; the first is Infinity (nothing predicted positive), as sklearn ≥ 1.3 */
  thresholds: number[];
}

/**
 * sklearn `roc_curve(y, s, drop_intermediate=False)`: one point per distinct score plus the
 * origin. We keep every point (no collinear-point dropping) so each threshold can be looked
 * up; the area and the plot are the same. Null when only one class is present.
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve | null {
  const groups = groupByScore(labels, scores);
  const { totalPositives: p, totalNegatives: n } = groups;
  if (p === 0 || n === 0) return null;
  const fpr = [0], tpr = [0], thresholds = [Infinity];
  let tp = 0, fp = 0;
  for (let g = 0; g < groups.scores.length; g++) {
    tp += groups.positives[g];
    fp += groups.negatives[g];
    fpr.push(fp / n);
    tpr.push(tp / p);
    thresholds.push(groups.scores[g]);
  }
  return { fpr, tpr, thresholds };
}

export interface PrecisionRecallCurve {
  /** one more entry than thresholds; the last is 1 */
  precision: number[];
  /** decreasing; the last is 0 */
  recall: number[];
  /** distinct scores, increasing */
  thresholds: number[];
}

/**
 * sklearn `precision_recall_curve(y, s)` (≥ 1.1, no truncation at full recall): precision
 * and recall at each distinct score in increasing order, then the point (recall 0,
 * precision 1). Precision is 0 where nothing is predicted positive. Null without positives.
 */
export function precisionRecallCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): PrecisionRecallCurve | null {
  const groups = groupByScore(labels, scores);
  const p = groups.totalPositives;
  if (p === 0) return null;
  const count = groups.scores.length;
  const precision = new Array<number>(count + 1);
  const recall = new Array<number>(count + 1);
  const thresholds = new Array<number>(count);
  let tp = 0, predicted = 0;
  for (let g = 0; g < count; g++) {
    tp += groups.positives[g];
    predicted += groups.positives[g] + groups.negatives[g];
    const k = count - 1 - g;
    precision[k] = predicted > 0 ? tp / predicted : 0;
    recall[k] = tp / p;
    thresholds[k] = groups.scores[g];
  }
  precision[count] = 1;
  recall[count] = 0;
  return { precision, recall, thresholds };
}
