// The study's metric set for one model at one threshold.
import { aurocFromGroups } from './auroc';
import { averagePrecisionFromGroups } from './average-precision';
import { clopperPearson, type Interval } from './clopper-pearson';
import { confusionCounts, metricsFromCounts, type ConfusionCounts, type CountMetrics } from './confusion';
import { groupByScore } from './score-groups';

export interface BinaryMetrics extends ConfusionCounts, CountMetrics {
  threshold: number;
  /** number of images */
  n: number;
  /** null when only one class is present */
  auroc: number | null;
  /** null without positives */
  averagePrecision: number | null;
  /** exact Clopper–Pearson 95% interval of tp/(tp+fn); null without positives */
  sensitivityCI95: Interval | null;
  /** exact Clopper–Pearson 95% interval of tn/(tn+fp); null without negatives */
  specificityCI95: Interval | null;
}

/** A prediction is positive when `score >= threshold`. Throws on empty or invalid input. */
export function binaryMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): BinaryMetrics {
  if (labels.length === 0) throw new RangeError('binaryMetrics: no images');
  if (Number.isNaN(threshold)) throw new RangeError('binaryMetrics: threshold is NaN');
  const counts = confusionCounts(labels, scores, threshold);
  const groups = groupByScore(labels, scores);
  return {
    threshold,
    n: labels.length,
    ...counts,
    ...metricsFromCounts(counts),
    auroc: aurocFromGroups(groups),
    averagePrecision: averagePrecisionFromGroups(groups),
    sensitivityCI95: clopperPearson(counts.tp, counts.tp + counts.fn),
    specificityCI95: clopperPearson(counts.tn, counts.tn + counts.fp),
  };
}
