// Mean and centred data of a set of feature vectors (row-major n×d float32 → float64).

export interface FeatureSet {
  /** row-major, n rows of d features */
  features: ArrayLike<number>;
  n: number;
  d: number;
}

export function featureSet(features: ArrayLike<number>, d: number): FeatureSet {
  if (d <= 0 || features.length % d !== 0) throw new Error(`feature array of length ${features.length} is not a multiple of ${d}`);
  return { features, n: features.length / d, d };
}

export function meanVector(set: FeatureSet): Float64Array {
  const mu = new Float64Array(set.d);
  for (let i = 0; i < set.n; i++) for (let j = 0; j < set.d; j++) mu[j] += set.features[i * set.d + j];
  for (let j = 0; j < set.d; j++) mu[j] /= set.n;
  return mu;
}

/** Rows minus the mean, as float64 (n×d). */
export function centred(set: FeatureSet, mu: Float64Array): Float64Array {
  const out = new Float64Array(set.n * set.d);
  for (let i = 0; i < set.n; i++) for (let j = 0; j < set.d; j++) out[i * set.d + j] = set.features[i * set.d + j] - mu[j];
  return out;
}

export function squaredDistance(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = a[ai + k] - b[bi + k];
    s += t * t;
  }
  return s;
}
