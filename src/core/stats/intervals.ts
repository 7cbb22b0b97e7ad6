// Bootstrap confidence intervals from replicate values: percentile and BCa (Efron 1987;
// Efron & Tibshirani 1993, §14.3), following scipy.stats.bootstrap's conventions
// (linear-interpolated quantiles as numpy.percentile, ties at the estimate counted ½ for z0).
import type { Interval } from '../metrics/clopper-pearson';
import { normalCdf, normalQuantile } from './distributions';

/** numpy.percentile's default ("linear", Hyndman & Fan type 7) on ascending values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Sorted copy, or null when any value is NaN (the metric was undefined in some resample). */
export function sortedFinite(values: ArrayLike<number>): Float64Array | null {
  const copy = Float64Array.from(values);
  for (let i = 0; i < copy.length; i++) if (Number.isNaN(copy[i])) return null;
  return copy.length > 0 ? copy.sort() : null;
}

export function percentileInterval(sorted: Float64Array, confidence: number): Interval {
  const alpha = 1 - confidence;
  return [quantileSorted(sorted, alpha / 2), quantileSorted(sorted, 1 - alpha / 2)];
}

/**
 * Jackknife acceleration a = Σ(θ̄ − θᵢ)³ / (6 (Σ(θ̄ − θᵢ)²)^{3/2}). Null when a leave-one-out
 * value is undefined; 0 when all leave-one-out values are equal (no skewness to correct).
 */
export function jackknifeAcceleration(leaveOneOut: ArrayLike<number>): number | null {
  const n = leaveOneOut.length;
  if (n < 2) return null;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(leaveOneOut[i])) return null;
    mean += leaveOneOut[i];
  }
  mean /= n;
  let s2 = 0, s3 = 0;
  for (let i = 0; i < n; i++) {
    const d = mean - leaveOneOut[i];
    s2 += d * d;
    s3 += d * d * d;
  }
  return s2 > 0 ? s3 / (6 * Math.pow(s2, 1.5)) : 0;
}

/**
 * BCa interval. Null when z0 is infinite (every replicate on one side of the estimate) or
 * the acceleration is undefined.
 */
export function bcaInterval(sorted: Float64Array, estimate: number, leaveOneOut: ArrayLike<number>, confidence: number): Interval | null {
  const a = jackknifeAcceleration(leaveOneOut);
  if (a === null || !Number.isFinite(estimate)) return null;
  let below = 0, atOrBelow = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i] < estimate) below++;
    if (sorted[i] <= estimate) atOrBelow++;
  }
  const z0 = normalQuantile((below + atOrBelow) / (2 * sorted.length));
  if (!Number.isFinite(z0)) return null;
  const alpha = 1 - confidence;
  const adjusted = (z: number) => normalCdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
  const lowQ = adjusted(normalQuantile(alpha / 2));
  const highQ = adjusted(normalQuantile(1 - alpha / 2));
  if (!Number.isFinite(lowQ) || !Number.isFinite(highQ)) return null;
  return [quantileSorted(sorted, lowQ), quantileSorted(sorted, highQ)];
}

/** Sample standard deviation (n − 1) of replicates: the bootstrap standard error. */
export function standardDeviation(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n < 2) return null;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (values[i] - mean) ** 2;
  return Math.sqrt(s / (n - 1));
}
