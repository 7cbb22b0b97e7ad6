// Threshold policies. Youden and target-sensitivity thresholds are chosen on validation
// labels/scores only and then applied unchanged to the test set. Candidate thresholds are
// the distinct validation scores (sklearn roc_curve thresholds), so "positive when
// score >= threshold" reproduces the validation operating point exactly.
import { groupByScore } from './score-groups';

export interface FixedThreshold {
  policy: 'fixed';
  threshold: number;
}

export interface ValidationOperatingPoint {
  /** number of validation images the threshold was chosen on */
  validationSize: number;
  validationSensitivity: number;
  validationSpecificity: number;
}

export interface YoudenThreshold extends ValidationOperatingPoint {
  policy: 'youden-validation';
  threshold: number;
  validationYouden: number;
}

export interface TargetSensitivityThreshold extends ValidationOperatingPoint {
  policy: 'target-sensitivity';
  threshold: number;
  targetSensitivity: number;
}

export type ThresholdDescriptor = FixedThreshold | YoudenThreshold | TargetSensitivityThreshold;

export type ThresholdPolicy =
  | { policy: 'fixed'; threshold?: number }
  | { policy: 'youden-validation' }
  | { policy: 'target-sensitivity'; targetSensitivity: number };

export function fixedThreshold(threshold = 0.5): FixedThreshold {
  if (!Number.isFinite(threshold)) throw new RangeError(`fixed threshold must be finite, got ${threshold}`);
  return { policy: 'fixed', threshold };
}

function validationGroups(labels: ArrayLike<number>, scores: ArrayLike<number>) {
  const groups = groupByScore(labels, scores);
  if (groups.totalPositives === 0 || groups.totalNegatives === 0) {
    throw new RangeError('threshold selection needs both classes in the validation set');
  }
  return groups;
}

/**
 * Maximises J = sensitivity + specificity − 1 over the distinct validation scores.
 * J is compared exactly as the integer tp·N − fp·P, and among equal maxima the highest
 * threshold wins: the first maximum in sklearn's decreasing threshold order, i.e.
 * `thresholds[np.argmax(tpr - fpr)]`.
 */
export function youdenThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>): YoudenThreshold {
  const groups = validationGroups(labels, scores);
  const { totalPositives: p, totalNegatives: n } = groups;
  let tp = 0, fp = 0;
  let best = -Infinity, bestGroup = 0, bestTp = 0, bestFp = 0;
  for (let g = 0; g < groups.scores.length; g++) {
    tp += groups.positives[g];
    fp += groups.negatives[g];
    const scaledJ = tp * n - fp * p;
    if (scaledJ > best) {
      best = scaledJ;
      bestGroup = g;
      bestTp = tp;
      bestFp = fp;
    }
  }
  return {
    policy: 'youden-validation',
    threshold: groups.scores[bestGroup],
    validationSize: p + n,
    validationSensitivity: bestTp / p,
    validationSpecificity: 1 - bestFp / n,
    validationYouden: bestTp / p - bestFp / n,
  };
}

/**
 * The highest threshold whose validation sensitivity reaches the target, i.e. the most
 * specific operating point that meets it.
 */
export function targetSensitivityThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>, targetSensitivity: number): TargetSensitivityThreshold {
  if (!(targetSensitivity > 0 && targetSensitivity <= 1)) {
    throw new RangeError(`target sensitivity must be in (0, 1], got ${targetSensitivity}`);
  }
  const groups = validationGroups(labels, scores);
  const { totalPositives: p, totalNegatives: n } = groups;
  // Integer comparison tp ≥ ⌈target·P⌉ (with a guard against 0.9·10 = 9.000000000000002).
  const needed = Math.ceil(targetSensitivity * p - 1e-9);
  let tp = 0, fp = 0;
  for (let g = 0; g < groups.scores.length; g++) {
    tp += groups.positives[g];
    fp += groups.negatives[g];
    if (tp >= needed) {
      return {
        policy: 'target-sensitivity',
        threshold: groups.scores[g],
        targetSensitivity,
        validationSize: p + n,
        validationSensitivity: tp / p,
        validationSpecificity: 1 - fp / n,
      };
    }
  }
  throw new Error('unreachable: the lowest score reaches sensitivity 1');
}

/** Resolves a policy; Youden and target-sensitivity need the validation labels and scores. */
export function resolveThreshold(
  policy: ThresholdPolicy,
  validation?: { labels: ArrayLike<number>; scores: ArrayLike<number> },
): ThresholdDescriptor {
  if (policy.policy === 'fixed') return fixedThreshold(policy.threshold ?? 0.5);
  if (!validation) throw new Error(`threshold policy '${policy.policy}' needs validation labels and scores`);
  if (policy.policy === 'youden-validation') return youdenThreshold(validation.labels, validation.scores);
  return targetSensitivityThreshold(validation.labels, validation.scores, policy.targetSensitivity);
}

/** One line for the report, e.g. "Youden-optimal on validation (n=200): 0.4132". */
export function describeThreshold(d: ThresholdDescriptor): string {
  const t = d.threshold.toPrecision(4);
  if (d.policy === 'fixed') return `fixed threshold ${t}`;
  if (d.policy === 'youden-validation') return `Youden-optimal on validation (n=${d.validationSize}): ${t}`;
  return `sensitivity ≥ ${d.targetSensitivity} on validation (n=${d.validationSize}): ${t}`;
}
