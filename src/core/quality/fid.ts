// Fréchet Inception Distance (Heusel et al. 2017):
//   FID = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½)
// with unbiased covariances (n−1), as pytorch-fid and clean-fid use.
//
// The troublesome term is Tr((Σ₁Σ₂)^½). scipy's sqrtm on Σ₁Σ₂ (non-symmetric) is what
// pytorch-fid does and is known to go complex/unstable for rank-deficient Σ. Instead:
// Σ₁Σ₂ is similar to the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½, so its eigenvalues are real
// and ≥ 0, and Tr((Σ₁Σ₂)^½) = Σ √λᵢ. With Σ₁ = AᵀA/(n₁−1), Σ₂ = BᵀB/(n₂−1) (A, B centred
// data, rows = samples), the non-zero eigenvalues of Σ₁Σ₂ equal those of
// (ABᵀ)(ABᵀ)ᵀ / ((n₁−1)(n₂−1)), an n₁×n₁ symmetric matrix: far smaller than d×d when there
// are fewer images than features (the usual case with 2048-d features), and exact.
import { symmetricEigenvalues } from './symmetric-eigen';
import { centred, meanVector, type FeatureSet } from './feature-stats';

export interface FidResult {
  fid: number;
  meanTerm: number;
  traceTerm: number;
  n1: number;
  n2: number;
}

export function frechetInceptionDistance(x: FeatureSet, y: FeatureSet): FidResult {
  if (x.d !== y.d) throw new Error(`FID: feature sizes differ (${x.d} vs ${y.d})`);
  if (x.n < 2 || y.n < 2) throw new Error('FID needs at least 2 images in each set (covariance)');
  const d = x.d;
  const mu1 = meanVector(x);
  const mu2 = meanVector(y);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (mu1[j] - mu2[j]) ** 2;
  const a = centred(x, mu1);
  const b = centred(y, mu2);
  const s1 = 1 / (x.n - 1);
  const s2 = 1 / (y.n - 1);
  let tr1 = 0;
  for (let i = 0; i < a.length; i++) tr1 += a[i] * a[i];
  let tr2 = 0;
  for (let i = 0; i < b.length; i++) tr2 += b[i] * b[i];
  tr1 *= s1;
  tr2 *= s2;
  const sqrtTrace = x.n <= d || y.n <= d ? sqrtTraceSampleSpace(a, x.n, b, y.n, d) * Math.sqrt(s1 * s2) : sqrtTraceFeatureSpace(a, x.n, b, y.n, d, s1, s2);
  const traceTerm = tr1 + tr2 - 2 * sqrtTrace;
  // Rounding can leave a tiny negative value for identical sets; FID is ≥ 0 by definition.
  return { fid: Math.max(0, meanTerm + traceTerm), meanTerm, traceTerm, n1: x.n, n2: y.n };
}

/** Σ singular values of A·Bᵀ (n1×n2) = Σ √eig((ABᵀ)(ABᵀ)ᵀ), using the smaller side. */
function sqrtTraceSampleSpace(a: Float64Array, n1: number, b: Float64Array, n2: number, d: number): number {
  const m = new Float64Array(n1 * n2);
  for (let i = 0; i < n1; i++)
    for (let j = 0; j < n2; j++) {
      let s = 0;
      const ai = i * d;
      const bj = j * d;
      for (let k = 0; k < d; k++) s += a[ai + k] * b[bj + k];
      m[i * n2 + j] = s;
    }
  const small = Math.min(n1, n2);
  const g = new Float64Array(small * small);
  if (n1 <= n2) {
    for (let i = 0; i < n1; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < n2; k++) s += m[i * n2 + k] * m[j * n2 + k];
        g[i * small + j] = g[j * small + i] = s;
      }
  } else {
    for (let i = 0; i < n2; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < n1; k++) s += m[k * n2 + i] * m[k * n2 + j];
        g[i * small + j] = g[j * small + i] = s;
      }
  }
  return sumSqrtEigen(g, small);
}

/** Σ √eig(Σ₁Σ₂) in feature space, for sets with more images than features. */
function sqrtTraceFeatureSpace(a: Float64Array, n1: number, b: Float64Array, n2: number, d: number, s1: number, s2: number): number {
  // More images than features: form the d×d covariances. Σ₁Σ₂ has the eigenvalues of
  // L₁ᵀΣ₂L₁ where Σ₁ = L₁L₁ᵀ (Cholesky, with a tiny jitter for rank deficiency).
  const c1 = covariance(a, n1, d, s1);
  const c2 = covariance(b, n2, d, s2);
  const l = cholesky(c1, d);
  // t = Lᵀ C2 L  (symmetric)
  const c2l = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = j; k < d; k++) s += c2[i * d + k] * l[k * d + j];
      c2l[i * d + j] = s;
    }
  const t = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += l[k * d + i] * c2l[k * d + j];
      t[i * d + j] = t[j * d + i] = s;
    }
  return sumSqrtEigen(t, d);
}

function covariance(a: Float64Array, n: number, d: number, scale: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    for (let i = 0; i < d; i++) {
      const ai = a[o + i];
      if (ai === 0) continue;
      for (let j = 0; j <= i; j++) c[i * d + j] += ai * a[o + j];
    }
  }
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      const v = c[i * d + j] * scale;
      c[i * d + j] = v;
      c[j * d + i] = v;
    }
  return c;
}

function cholesky(c: Float64Array, d: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < d; i++) trace += c[i * d + i];
  const jitter = 1e-12 * (trace / d || 1);
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = c[i * d + j] + (i === j ? jitter : 0);
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = i === j ? Math.sqrt(Math.max(s, 0)) : l[j * d + j] > 0 ? s / l[j * d + j] : 0;
    }
  return l;
}

function sumSqrtEigen(sym: Float64Array, n: number): number {
  const ev = symmetricEigenvalues(sym, n);
  let s = 0;
  for (const v of ev) if (v > 0) s += Math.sqrt(v);
  return s;
}
