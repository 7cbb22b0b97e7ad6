// Summaries and paired tests over repeated runs (one value per seed per arm), where the
// unit of replication is the training run, not the test image.
import { studentTTwoSidedP } from './distributions';
import type { PValue } from './p-value';

export const PAIRED_T_TEST = 'paired t-test across seeds (two-sided)';
export const WILCOXON_EXACT_TEST = 'Wilcoxon signed-rank across seeds, exact (two-sided; zero differences dropped, ties by midranks)';

export interface MeanSd {
  n: number;
  mean: number | null;
  /** sample standard deviation (n − 1); null for fewer than two values */
  sd: number | null;
}

/** Null values (metric undefined in a run) are left out and not counted in n. */
export function meanAndSd(values: readonly (number | null)[]): MeanSd {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { n, mean, sd: null };
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return { n, mean, sd: Math.sqrt(ss / (n - 1)) };
}

function pairedDifferences(baseline: readonly (number | null)[], augmented: readonly (number | null)[]): number[] {
  if (baseline.length !== augmented.length) throw new RangeError(`paired test: ${baseline.length} baseline vs ${augmented.length} augmented runs`);
  const d: number[] = [];
  for (let i = 0; i < baseline.length; i++) {
    const a = baseline[i], b = augmented[i];
    if (a !== null && b !== null && Number.isFinite(a) && Number.isFinite(b)) d.push(b - a);
  }
  return d;
}

export interface PairedTTestResult extends PValue {
  /** pairs with both values defined */
  n: number;
  meanDifference: number | null;
  t: number | null;
  df: number | null;
}

/**
 * t = mean(d)/(sd(d)/√n), df = n − 1, d = augmented − baseline per seed. p is null for
 * fewer than two pairs or zero variance of the differences (the t statistic is undefined).
 */
export function pairedTTest(baseline: readonly (number | null)[], augmented: readonly (number | null)[]): PairedTTestResult {
  const d = pairedDifferences(baseline, augmented);
  const { n, mean, sd } = meanAndSd(d);
  if (n < 2 || mean === null || !sd) return { p: null, test: PAIRED_T_TEST, n, meanDifference: mean, t: null, df: n >= 2 ? n - 1 : null };
  const t = mean / (sd / Math.sqrt(n));
  return { p: studentTTwoSidedP(t, n - 1), test: PAIRED_T_TEST, n, meanDifference: mean, t, df: n - 1 };
}

export interface WilcoxonResult extends PValue {
  /** non-zero differences used */
  n: number;
  /** sum of the ranks of positive differences */
  wPlus: number | null;
}

/**
 * Exact distribution of W+ under H0 (each |d| rank equally likely ±), by dynamic programming
 * over doubled midranks so ties stay integers. Two-sided p = min(1, 2·min(P(W+ ≤ w), P(W+ ≥ w))),
 * as scipy.stats.wilcoxon(method='exact'). Fine up to a few hundred pairs.
 */
export function wilcoxonSignedRankExact(baseline: readonly (number | null)[], augmented: readonly (number | null)[]): WilcoxonResult {
  const d = pairedDifferences(baseline, augmented).filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { p: null, test: WILCOXON_EXACT_TEST, n, wPlus: null };
  const byMagnitude = d.map((x, i) => ({ x, i })).sort((a, b) => Math.abs(a.x) - Math.abs(b.x));
  const doubledRank = new Array<number>(n);
  for (let k = 0; k < n; ) {
    let e = k;
    while (e + 1 < n && Math.abs(byMagnitude[e + 1].x) === Math.abs(byMagnitude[k].x)) e++;
    // Ranks k+1..e+1 share the midrank (k+e+2)/2; doubled it is k+e+2.
    for (let j = k; j <= e; j++) doubledRank[j] = k + e + 2;
    k = e + 1;
  }
  let doubledW = 0;
  for (let j = 0; j < n; j++) if (byMagnitude[j].x > 0) doubledW += doubledRank[j];
  const total = n * (n + 1);
  let dist = new Float64Array(total + 1);
  dist[0] = 1;
  for (let j = 0; j < n; j++) {
    const r = doubledRank[j];
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= total; s++) {
      if (dist[s] === 0) continue;
      next[s] += dist[s] / 2;
      next[s + r] += dist[s] / 2;
    }
    dist = next;
  }
  let lower = 0, upper = 0;
  for (let s = 0; s <= total; s++) {
    if (s <= doubledW) lower += dist[s];
    if (s >= doubledW) upper += dist[s];
  }
  return { p: Math.min(1, 2 * Math.min(lower, upper)), test: WILCOXON_EXACT_TEST, n, wPlus: doubledW / 2 };
}

export interface SeedComparison {
  baseline: MeanSd;
  augmented: MeanSd;
  /** augmented − baseline per seed pair */
  difference: MeanSd;
  pairedT: PairedTTestResult;
  wilcoxon: WilcoxonResult;
}

/**
 * Per metric, over runs paired by seed (baseline[i] and augmented[i] share a seed; the
 * caller does the pairing): mean ± SD of each arm and of the differences, the paired
 * t-test and the exact Wilcoxon signed-rank test.
 */
export function compareAcrossSeeds<M extends string>(
  metrics: readonly M[],
  baseline: readonly Partial<Record<M, number | null>>[],
  augmented: readonly Partial<Record<M, number | null>>[],
): Record<M, SeedComparison> {
  if (baseline.length !== augmented.length) throw new RangeError(`compareAcrossSeeds: ${baseline.length} baseline vs ${augmented.length} augmented runs`);
  const out = {} as Record<M, SeedComparison>;
  for (const name of metrics) {
    const a = baseline.map((run) => run[name] ?? null);
    const b = augmented.map((run) => run[name] ?? null);
    out[name] = {
      baseline: meanAndSd(a),
      augmented: meanAndSd(b),
      difference: meanAndSd(pairedDifferences(a, b)),
      pairedT: pairedTTest(a, b),
      wilcoxon: wilcoxonSignedRankExact(a, b),
    };
  }
  return out;
}
