// Input pipeline for the classifier, as tensor ops so it runs on the worker's tfjs backend.
// Canonical images are 8-bit grayscale; the network takes RGB-like [N, S, S, 3] float input.
import * as tf from '@tensorflow/tfjs';

/** Structurally the app's canonical image (src/data/decode-types.ts `Gray8Image`). */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * 'inception': Keras `preprocess_input(mode='tf')`, x / 127.5 − 1 ∈ [−1, 1] — what the Keras
 * ImageNet weights, nsfwjs and torchvision's Inception (internally, via transform_input)
 * expect. 'imagenet': (x/255 − mean) / std with the ImageNet statistics, for checkpoints whose
 * configuration asks for it (check the checkpoint's own preprocessing config).
 */
export type InputNormalization = 'inception' | 'imagenet';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/**
 * Resizes each gray image to size×size (bilinear, half-pixel centres as in PIL/OpenCV; no
 * aspect-ratio preservation — like Keras `flow_from_directory(target_size=...)`, the image is
 * stretched) and stacks them: [N, size, size, 1] float32 in 0..255. No antialiasing: canonical
 * images are already capped in size by the import step.
 */
export function grayImagesToTensor(images: readonly GrayImage[], size: number): tf.Tensor4D {
  if (!images.length) throw new Error('no images');
  return tf.tidy(() => {
    const resized = images.map((img) => {
      if (img.pixels.length !== img.width * img.height) {
        throw new Error(`gray image ${img.width}x${img.height} has ${img.pixels.length} pixels`);
      }
      const t = tf.tensor3d(Float32Array.from(img.pixels), [img.height, img.width, 1]);
      return img.width === size && img.height === size ? t : tf.image.resizeBilinear(t, [size, size], false, true);
    });
    return tf.stack(resized) as tf.Tensor4D;
  });
}

/** [N, H, W, 1] gray in 0..255 → [N, H, W, 3] normalised network input. */
export function grayToNetworkInput(gray: tf.Tensor4D, normalization: InputNormalization = 'inception'): tf.Tensor4D {
  return tf.tidy(() => {
    const rgb = tf.tile(gray, [1, 1, 1, 3]) as tf.Tensor4D;
    if (normalization === 'inception') return rgb.div(127.5).sub(1) as tf.Tensor4D;
    const mean = tf.tensor1d(IMAGENET_MEAN.map((m) => m * 255));
    const std = tf.tensor1d(IMAGENET_STD.map((s) => s * 255));
    return rgb.sub(mean).div(std) as tf.Tensor4D;
  });
}

/** Canonical gray images → network input [N, size, size, 3]. The caller disposes the result. */
export function preprocessGrayImages(
  images: readonly GrayImage[],
  size: number,
  normalization: InputNormalization = 'inception',
): tf.Tensor4D {
  return tf.tidy(() => grayToNetworkInput(grayImagesToTensor(images, size), normalization));
}
