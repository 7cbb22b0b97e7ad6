// DeLong, DeLong & Clarke-Pearson (1988) variance of AUROC and the test for the difference
// of two correlated AUROCs. Structural components V10 (per positive) and V01 (per negative)
// come from one sort per model as in Sun & Xu (2014): V10ᵢ = (negatives below + ½ tied)/N,
// V01ⱼ = (positives above + ½ tied)/P — their midrank formulas, computed by walking the
// groups of equal scores, O(n log n) overall.
import { orderByScoreDescending } from '../metrics/score-groups';
import { checkBinaryInputs } from '../metrics/validate';
import type { Interval } from '../metrics/clopper-pearson';
import { normalCdf, normalQuantile } from './distributions';
import type { PValue } from './p-value';

export const DELONG_TEST = "DeLong's test for two correlated ROC curves (two-sided, fast midrank algorithm of Sun & Xu 2014)";

export interface StructuralComponents {
  auroc: number;
  /** one per positive image, in image order */
  v10: Float64Array;
  /** one per negative image, in image order */
  v01: Float64Array;
}

/** Null when only one class is present. */
export function structuralComponents(labels: ArrayLike<number>, scores: ArrayLike<number>): StructuralComponents | null {
  checkBinaryInputs(labels, scores);
  const n = labels.length;
  let p = 0;
  for (let i = 0; i < n; i++) p += labels[i];
  const q = n - p;
  if (p === 0 || q === 0) return null;
  // Rank of each image among its class, so components come out in image order.
  const slot = new Int32Array(n);
  for (let i = 0, a = 0, b = 0; i < n; i++) slot[i] = labels[i] === 1 ? a++ : b++;
  const v10 = new Float64Array(p), v01 = new Float64Array(q);
  const order = orderByScoreDescending(scores);
  let positivesAbove = 0, negativesAbove = 0, u = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    let pos = 0, neg = 0;
    while (end < n && scores[order[end]] === scores[order[start]]) {
      if (labels[order[end]] === 1) pos++;
      else neg++;
      end++;
    }
    const negativesBelow = q - negativesAbove - neg;
    for (let k = start; k < end; k++) {
      const i = order[k];
      if (labels[i] === 1) v10[slot[i]] = (negativesBelow + 0.5 * neg) / q;
      else v01[slot[i]] = (positivesAbove + 0.5 * pos) / p;
    }
    u += neg * (positivesAbove + 0.5 * pos);
    positivesAbove += pos;
    negativesAbove += neg;
    start = end;
  }
  return { auroc: u / (p * q), v10, v01 };
}

function covariance(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - mx) * (y[i] - my);
  return s / (n - 1);
}

/** DeLong variance S10/P + S01/N of one AUROC (needs ≥ 2 positives and ≥ 2 negatives). */
export function delongVariance(labels: ArrayLike<number>, scores: ArrayLike<number>): { auroc: number; variance: number } | null {
  const c = structuralComponents(labels, scores);
  if (!c || c.v10.length < 2 || c.v01.length < 2) return null;
  return { auroc: c.auroc, variance: covariance(c.v10, c.v10) / c.v10.length + covariance(c.v01, c.v01) / c.v01.length };
}

export interface DeLongResult extends PValue {
  baselineAuroc: number;
  augmentedAuroc: number;
  /** augmented − baseline */
  difference: number;
  /** Var(Δ) = Var(A) + Var(B) − 2 Cov(A, B) */
  variance: number;
  z: number;
  /** normal-approximation interval of the difference */
  ci: Interval;
}

/**
 * Test of AUROC(augmented) = AUROC(baseline) on the same images. p from z = Δ/√Var(Δ);
 * when Var(Δ) = 0 the curves agree on every pair ordering, so p = 1 if Δ = 0 (and null otherwise).
 */
export function delongTest(labels: ArrayLike<number>, baselineScores: ArrayLike<number>, augmentedScores: ArrayLike<number>, confidence = 0.95): DeLongResult | null {
  const a = structuralComponents(labels, baselineScores);
  const b = structuralComponents(labels, augmentedScores);
  if (!a || !b || a.v10.length < 2 || a.v01.length < 2) return null;
  const m = a.v10.length, n = a.v01.length;
  const s10 = covariance(a.v10, a.v10) + covariance(b.v10, b.v10) - 2 * covariance(a.v10, b.v10);
  const s01 = covariance(a.v01, a.v01) + covariance(b.v01, b.v01) - 2 * covariance(a.v01, b.v01);
  const variance = Math.max(0, s10 / m + s01 / n);
  const difference = b.auroc - a.auroc;
  const sd = Math.sqrt(variance);
  const z = sd > 0 ? difference / sd : difference === 0 ? 0 : Math.sign(difference) * Infinity;
  const p = sd > 0 ? 2 * normalCdf(-Math.abs(z)) : difference === 0 ? 1 : null;
  const half = normalQuantile(1 - (1 - confidence) / 2) * sd;
  return {
    p,
    test: DELONG_TEST,
    baselineAuroc: a.auroc,
    augmentedAuroc: b.auroc,
    difference,
    variance,
    z,
    ci: [difference - half, difference + half],
  };
}
