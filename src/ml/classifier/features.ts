// Pooled-features API: the 2048-d global-average-pooled mixed10 output (the input of the task
// head) for a set of canonical gray images. FID and memorisation checks of synthetic images use
// it, so it runs in bounded memory batch by batch and can be cancelled between batches.
import * as tf from '@tensorflow/tfjs';
import { POOLED_FEATURES_DIM, POOLED_FEATURES_LAYER, pooledFeaturesModel } from './inception-v3';
import { preprocessGrayImages, type GrayImage, type InputNormalization } from './preprocess';

export interface FeatureOptions {
  batchSize?: number;
  normalization?: InputNormalization;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Input side the model was built for (square inputs only). */
export function modelInputSize(model: tf.LayersModel): number {
  const [, h, w] = model.inputs[0].shape;
  if (typeof h !== 'number' || h !== w) throw new Error(`expected a square fixed-size input, got ${JSON.stringify(model.inputs[0].shape)}`);
  return h;
}

/**
 * Features of `images`, row-major [images.length × 2048]. `model` is any Inception-V3 from
 * `buildInceptionV3` (with or without head) or a re-loaded one with the same layer names.
 */
export async function extractPooledFeatures(
  model: tf.LayersModel,
  images: readonly GrayImage[],
  options: FeatureOptions = {},
): Promise<Float32Array> {
  const batchSize = options.batchSize ?? 8;
  const size = modelInputSize(model);
  const features = model.outputs[0] === model.getLayer(POOLED_FEATURES_LAYER).output ? model : pooledFeaturesModel(model);
  const out = new Float32Array(images.length * POOLED_FEATURES_DIM);
  for (let start = 0; start < images.length; start += batchSize) {
    if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('feature extraction cancelled', 'AbortError');
    const batch = images.slice(start, start + batchSize);
    const pooled = tf.tidy(() => features.predict(preprocessGrayImages(batch, size, options.normalization)) as tf.Tensor2D);
    try {
      out.set(await pooled.data(), start * POOLED_FEATURES_DIM);
    } finally {
      pooled.dispose();
    }
    options.onProgress?.(Math.min(start + batchSize, images.length), images.length);
  }
  return out;
}
