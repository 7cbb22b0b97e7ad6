// Metrics that depend only on the 2×2 confusion table, with scikit-learn's conventions for
// undefined cases. Kept O(1) from counts so the bootstrap and jackknife can call them per
// resample / per left-out image.
import { checkBinaryInputs } from './validate';

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Metrics from a confusion table. `null` marks a value that is undefined for the table. */
export interface CountMetrics {
  accuracy: number | null;
  /** recall of the positive class; null without positives */
  sensitivity: number | null;
  /** recall of the negative class; null without negatives */
  specificity: number | null;
  /** 0 when nothing is predicted positive (sklearn zero_division=0) */
  precision: number | null;
  /** 2tp / (2tp + fp + fn); 0 when the denominator is 0 (sklearn zero_division=0) */
  f1: number | null;
  /** mean of the per-class recalls that are defined (sklearn balanced_accuracy_score) */
  balancedAccuracy: number | null;
  /** 0 when any margin of the table is empty (sklearn matthews_corrcoef) */
  mcc: number | null;
  /** Cohen's kappa; null when expected agreement is 1 (sklearn gives nan there) */
  kappa: number | null;
  /** sensitivity + specificity − 1; null when either is undefined */
  youden: number | null;
}

/** Prediction is positive when `score >= threshold`. */
export function confusionCounts(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): ConfusionCounts {
  checkBinaryInputs(labels, scores);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const predictedPositive = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (predictedPositive) tp++;
      else fn++;
    } else if (predictedPositive) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

export function metricsFromCounts({ tp, fp, tn, fn }: ConfusionCounts): CountMetrics {
  const positives = tp + fn;
  const negatives = tn + fp;
  const total = positives + negatives;
  if (total === 0) {
    return { accuracy: null, sensitivity: null, specificity: null, precision: null, f1: null, balancedAccuracy: null, mcc: null, kappa: null, youden: null };
  }
  const sensitivity = positives > 0 ? tp / positives : null;
  const specificity = negatives > 0 ? tn / negatives : null;
  const predictedPositives = tp + fp;
  const predictedNegatives = tn + fn;
  const precision = predictedPositives > 0 ? tp / predictedPositives : 0;
  const f1Denominator = 2 * tp + fp + fn;
  const f1 = f1Denominator > 0 ? (2 * tp) / f1Denominator : 0;
  // sklearn drops the undefined per-class recall from the mean (with a warning).
  const balancedAccuracy =
    sensitivity !== null && specificity !== null ? (sensitivity + specificity) / 2 : (sensitivity ?? specificity);
  // MCC = (tp·tn − fp·fn) / √((tp+fp)(tp+fn)(tn+fp)(tn+fn)), split in two square roots so the
  // product of four margins cannot lose precision or overflow.
  const mccDenominator = Math.sqrt(predictedPositives * positives) * Math.sqrt(negatives * predictedNegatives);
  const mcc = mccDenominator > 0 ? (tp * tn - fp * fn) / mccDenominator : 0;
  // Binary Cohen's kappa in closed form: (po − pe)/(1 − pe) = 2(tp·tn − fn·fp) /
  // ((tp+fp)(fp+tn) + (tp+fn)(fn+tn)); the denominator is 0 exactly when pe = 1.
  const kappaDenominator = predictedPositives * negatives + positives * predictedNegatives;
  const kappa = kappaDenominator > 0 ? (2 * (tp * tn - fn * fp)) / kappaDenominator : null;
  const youden = sensitivity !== null && specificity !== null ? sensitivity + specificity - 1 : null;
  return { accuracy: (tp + tn) / total, sensitivity, specificity, precision, f1, balancedAccuracy, mcc, kappa, youden };
}
