// Average precision as sklearn's average_precision_score: AP = Σ (R_k − R_{k−1}) P_k over
// distinct thresholds, the step-wise sum without interpolation (not the trapezoid).
import { groupByScore, type ScoreGroups } from './score-groups';

export function averagePrecisionFromGroups(groups: ScoreGroups): number | null {
  const { positives, negatives, totalPositives } = groups;
  // Recall is undefined without positives. Without negatives AP is 1, as in sklearn.
  if (totalPositives === 0) return null;
  let sum = 0;
  let truePositives = 0;
  let predictedPositives = 0;
  for (let g = 0; g < positives.length; g++) {
    truePositives += positives[g];
    predictedPositives += positives[g] + negatives[g];
    // Recall rises by positives[g]/P at this threshold; precision there is TP/(TP+FP).
    if (positives[g] > 0) sum += (positives[g] * truePositives) / predictedPositives;
  }
  return sum / totalPositives;
}

export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  return averagePrecisionFromGroups(groupByScore(labels, scores));
}
