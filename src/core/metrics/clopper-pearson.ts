// Exact (Clopper–Pearson, 1934) binomial confidence interval from beta quantiles:
// lower = B(α/2; x, n−x+1), upper = B(1−α/2; x+1, n−x), with 0 / 1 at the edges.
import { betaQuantile } from '../stats/distributions';

export type Interval = [low: number, high: number];

/** Null when n = 0 (no trials, no proportion). */
export function clopperPearson(successes: number, trials: number, confidence = 0.95): Interval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new RangeError(`clopperPearson: need integers 0 ≤ successes ≤ trials, got ${successes}/${trials}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`clopperPearson: confidence must be in (0, 1), got ${confidence}`);
  if (trials === 0) return null;
  const alpha = 1 - confidence;
  const low = successes === 0 ? 0 : betaQuantile(alpha / 2, successes, trials - successes + 1);
  const high = successes === trials ? 1 : betaQuantile(1 - alpha / 2, successes + 1, trials - successes);
  return [low, high];
}
