// Holm (1979) step-down adjustment for a family of tests: with the m defined p-values in
// ascending order, p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎). Null p-values are not part
// of the family and stay null. Ties keep their input order (the result does not depend on it).
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const defined = pValues
    .map((p, index) => ({ p, index }))
    .filter((e): e is { p: number; index: number } => e.p !== null && Number.isFinite(e.p))
    .sort((a, b) => a.p - b.p || a.index - b.index);
  const m = defined.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  defined.forEach((e, j) => {
    running = Math.max(running, Math.min(1, (m - j) * e.p));
    adjusted[e.index] = running;
  });
  return adjusted;
}
