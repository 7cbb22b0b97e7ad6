// Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs"): the unbiased
// MMD² with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over random
// subsets as in their reference code and torch-fidelity (defaults: 100 subsets of ≤ 1000).
import { createRng, deriveSeed } from '../random';
import type { FeatureSet } from './feature-stats';

export interface KidOptions {
  subsets?: number;
  subsetSize?: number;
  seed?: number;
}

export interface KidResult {
  kid: number;
  /** standard deviation over subsets */
  sd: number;
  subsets: number;
  subsetSize: number;
}

export function kernelInceptionDistance(x: FeatureSet, y: FeatureSet, opts: KidOptions = {}): KidResult {
  if (x.d !== y.d) throw new Error(`KID: feature sizes differ (${x.d} vs ${y.d})`);
  const m = Math.min(opts.subsetSize ?? 1000, x.n, y.n);
  if (m < 2) throw new Error('KID needs at least 2 images in each set');
  const subsets = opts.subsets ?? 100;
  const seed = opts.seed ?? 0;
  const d = x.d;
  const k = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += a[i * d + t] * b[j * d + t];
    const v = s / d + 1;
    return v * v * v;
  };
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const rng = createRng(deriveSeed(seed, s));
    const ix = sampleWithoutReplacement(x.n, m, rng.int);
    const iy = sampleWithoutReplacement(y.n, m, rng.int);
    let kxx = 0;
    let kyy = 0;
    let kxy = 0;
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        if (a !== b) {
          kxx += k(x.features, ix[a], x.features, ix[b]);
          kyy += k(y.features, iy[a], y.features, iy[b]);
        }
        kxy += k(x.features, ix[a], y.features, iy[b]);
      }
    }
    values.push((kxx + kyy) / (m * (m - 1)) - (2 * kxy) / (m * m));
  }
  const mean = values.reduce((p, v) => p + v, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((p, v) => p + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { kid: mean, sd, subsets, subsetSize: m };
}

function sampleWithoutReplacement(n: number, m: number, int: (n: number) => number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, m);
}
