/**
 * max|a−b| / max(max|ref|, 1e-6): the relative error used throughout the fixtures README.
 * Any NaN in either array gives NaN so a broken computation never passes a `<` check.
 */
export function maxRelativeDifference(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`length mismatch: ${a.length} vs ${ref.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - ref[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > maxDiff) maxDiff = d;
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-6);
}
