// Seeded CXR augmentation on [N, S, S, 1] gray batches in 0..255, before normalisation:
// one affine warp per image (rotation, zoom, shift about the centre; Keras ImageDataGenerator
// semantics with fill_mode='nearest') and a brightness/contrast change. Parameters come from
// our seeded RNG, so an epoch's augmentations are reproducible and resumable.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../core/random';
import type { AugmentationConfig } from './config';

export interface AugmentationParams {
  /** tf.image.transform rows: output pixel → input pixel (projective, last row implicit) */
  transforms: Float32Array;
  contrast: Float32Array;
  /** offset in 0..255 units */
  brightness: Float32Array;
}

const sym = (rng: Rng, max: number) => (rng.next() * 2 - 1) * max;

/** Draws `n` images' parameters for side `size` (draw order is fixed: part of reproducibility). */
export function sampleAugmentations(rng: Rng, n: number, size: number, cfg: AugmentationConfig): AugmentationParams {
  const transforms = new Float32Array(n * 8);
  const contrast = new Float32Array(n);
  const brightness = new Float32Array(n);
  const c = (size - 1) / 2;
  for (let i = 0; i < n; i++) {
    const theta = (sym(rng, cfg.rotationDeg) * Math.PI) / 180;
    const scale = 1 + sym(rng, cfg.zoom);
    const tx = sym(rng, cfg.shift) * size;
    const ty = sym(rng, cfg.shift) * size;
    // input = c + R(θ)(output − c) / scale − t
    const a0 = Math.cos(theta) / scale;
    const a1 = -Math.sin(theta) / scale;
    const b0 = Math.sin(theta) / scale;
    const b1 = Math.cos(theta) / scale;
    transforms.set([a0, a1, c - a0 * c - a1 * c - tx, b0, b1, c - b0 * c - b1 * c - ty, 0, 0], i * 8);
    contrast[i] = 1 + sym(rng, cfg.contrast);
    brightness[i] = sym(rng, cfg.brightness) * 255;
  }
  return { transforms, contrast, brightness };
}

/** Applies `params` to gray [N, S, S, 1] in 0..255; returns a new tensor in 0..255. */
export function applyAugmentations(gray: tf.Tensor4D, params: AugmentationParams): tf.Tensor4D {
  const n = gray.shape[0];
  return tf.tidy(() => {
    // One image at a time: tfjs 4.22's cpu Transform kernel reads the wrong pixels for batch > 1
    // (an identity transform on a batch of 2 changes pixels by up to 255; batch 1 is exact —
    // test/unit/classifier/training-config.test.ts).
    const warped = tf.concat(
      Array.from({ length: n }, (_, i) =>
        tf.image.transform(gray.slice([i, 0, 0, 0], [1, -1, -1, -1]), tf.tensor2d(params.transforms.subarray(i * 8, i * 8 + 8), [1, 8]), 'bilinear', 'nearest'),
      ),
      0,
    );
    const mean = tf.mean(warped, [1, 2, 3], true);
    const contrast = tf.tensor4d(params.contrast, [n, 1, 1, 1]);
    const brightness = tf.tensor4d(params.brightness, [n, 1, 1, 1]);
    return tf.clipByValue(warped.sub(mean).mul(contrast).add(mean).add(brightness), 0, 255) as tf.Tensor4D;
  });
}
