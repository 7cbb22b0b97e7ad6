// Exact McNemar test: under H0 the discordant pairs split Bin(b + c, ½); the two-sided
// p-value is 2·P(X ≤ min(b, c)), capped at 1 (as statsmodels' mcnemar(exact=True)).
import { confusionCounts } from '../metrics/confusion';
import { binomialCdf } from './distributions';
import type { PValue } from './p-value';

export const MCNEMAR_TEST = 'exact McNemar (two-sided binomial on discordant pairs)';

export interface McNemarResult extends PValue {
  /** images the baseline classifies correctly and the augmented model does not */
  baselineOnlyCorrect: number;
  /** images the augmented model classifies correctly and the baseline does not */
  augmentedOnlyCorrect: number;
  bothCorrect: number;
  bothWrong: number;
  p: number;
}

/** p from the discordant counts b and c; p = 1 when there is no discordant pair. */
export function mcnemarExactP(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new RangeError(`McNemar: discordant counts must be non-negative integers, got ${b}, ${c}`);
  }
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * (n <= 1000 ? halfBinomialCdf(Math.min(b, c), n) : binomialCdf(Math.min(b, c), n, 0.5)));
}

/**
 * P(X ≤ k) for X ~ Binomial(n, ½) by direct summation: 2⁻ⁿ is exact in float64 for
 * n ≤ 1074 and each term follows from the last by (n−i)/(i+1), so small tables give
 * exact p-values (b=0, c=1 → 1, not 0.9999999999999982 as the incomplete beta gives).
 */
function halfBinomialCdf(k: number, n: number): number {
  let term = 2 ** -n;
  let sum = term;
  for (let i = 0; i < k; i++) {
    term = (term * (n - i)) / (i + 1);
    sum += term;
  }
  return sum;
}

/** Paired correctness of two models on the same images at their own thresholds (score >= t). */
export function mcnemarExact(
  labels: ArrayLike<number>,
  baseline: { scores: ArrayLike<number>; threshold: number },
  augmented: { scores: ArrayLike<number>; threshold: number },
): McNemarResult {
  // Validates both inputs (lengths, 0/1 labels, finite scores).
  confusionCounts(labels, baseline.scores, baseline.threshold);
  confusionCounts(labels, augmented.scores, augmented.threshold);
  let baselineOnlyCorrect = 0, augmentedOnlyCorrect = 0, bothCorrect = 0, bothWrong = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = labels[i] === 1;
    const baseCorrect = baseline.scores[i] >= baseline.threshold === positive;
    const augCorrect = augmented.scores[i] >= augmented.threshold === positive;
    if (baseCorrect && augCorrect) bothCorrect++;
    else if (baseCorrect) baselineOnlyCorrect++;
    else if (augCorrect) augmentedOnlyCorrect++;
    else bothWrong++;
  }
  return {
    p: mcnemarExactP(baselineOnlyCorrect, augmentedOnlyCorrect),
    test: MCNEMAR_TEST,
    baselineOnlyCorrect,
    augmentedOnlyCorrect,
    bothCorrect,
    bothWrong,
  };
}
