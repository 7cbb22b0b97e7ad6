// Cache of backbone features for head-only training: the 2048-d pooled features of an image
// depend only on the backbone weights, the input size and the normalisation, so they are
// computed once and reused across epochs, runs and seeds.
import { POOLED_FEATURES_DIM } from '../inception-v3';

export interface FeatureStore {
  getMany(keys: string[]): Promise<(Float32Array | undefined)[]>;
  putMany(items: [string, Float32Array][]): Promise<void>;
}

export const featureKey = (weightsHash: string, inputSize: number, normalization: string, imageId: string) =>
  `${weightsHash}:${inputSize}:${normalization}:${imageId}`;

/**
 * Features of `ids` (row-major [ids.length × 2048]): cached rows are read, the rest computed
 * by `compute` in batches of `batchSize` and stored.
 */
export async function cachedFeatures(
  ids: readonly string[],
  keyOf: (id: string) => string,
  store: FeatureStore,
  compute: (ids: string[]) => Promise<Float32Array>,
  opts: { batchSize: number; onProgress?: (done: number, total: number, cached: number) => void; throwIfCancelled?: () => void },
): Promise<{ features: Float32Array; cached: number }> {
  const out = new Float32Array(ids.length * POOLED_FEATURES_DIM);
  const rows = await store.getMany(ids.map(keyOf));
  const missing: number[] = [];
  rows.forEach((r, i) => (r && r.length === POOLED_FEATURES_DIM ? out.set(r, i * POOLED_FEATURES_DIM) : missing.push(i)));
  const cached = ids.length - missing.length;
  opts.onProgress?.(cached, ids.length, cached);
  for (let s = 0; s < missing.length; s += opts.batchSize) {
    opts.throwIfCancelled?.();
    const idx = missing.slice(s, s + opts.batchSize);
    const f = await compute(idx.map((i) => ids[i]));
    const items: [string, Float32Array][] = idx.map((i, k) => {
      const row = f.slice(k * POOLED_FEATURES_DIM, (k + 1) * POOLED_FEATURES_DIM);
      out.set(row, i * POOLED_FEATURES_DIM);
      return [keyOf(ids[i]), row];
    });
    await store.putMany(items);
    opts.onProgress?.(cached + Math.min(s + opts.batchSize, missing.length), ids.length, cached);
  }
  return { features: out, cached };
}
