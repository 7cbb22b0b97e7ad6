// Area under the ROC curve as the Mann–Whitney statistic with tied pairs counted ½, which
// equals the trapezoidal area over distinct thresholds used by sklearn's roc_auc_score.
import { groupByScore, type ScoreGroups } from './score-groups';

export function aurocFromGroups(groups: ScoreGroups): number | null {
  const { positives, negatives, totalPositives: p, totalNegatives: n } = groups;
  if (p === 0 || n === 0) return null;
  // U counts, for every negative, the positives scored above it plus half of those tied with it.
  let u = 0;
  let positivesAbove = 0;
  for (let g = 0; g < positives.length; g++) {
    u += negatives[g] * (positivesAbove + 0.5 * positives[g]);
    positivesAbove += positives[g];
  }
  return u / (p * n);
}

/** sklearn roc_auc_score for binary labels; null when only one class is present. */
export function auroc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  return aurocFromGroups(groupByScore(labels, scores));
}
