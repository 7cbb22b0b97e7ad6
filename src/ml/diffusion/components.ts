// The other model components of an SD-1.x pipeline, as the pipeline uses them. Like the
// Denoiser, each has an ONNX implementation in onnx/ and may get others.
import type { FloatTensor } from './tensor';

export interface TextEncoderModel {
  /** Token ids [batch, 77] → last_hidden_state [batch, 77, dim] (SD uses all 77 rows). */
  encode(inputIds: Int32Array, batch: number): Promise<FloatTensor>;
  dispose(): Promise<void>;
}

/**
 * The VAE encoder's view of q(z|x): either the diagonal Gaussian (mean and log-variance,
 * unscaled, logvar clamped to [−30, 20]) so the caller samples it with its own noise, or,
 * for exports that only give one latent, that latent.
 */
export type LatentDistribution =
  | { kind: 'gaussian'; mean: FloatTensor; logvar: FloatTensor }
  | { kind: 'latent'; latent: FloatTensor };

export interface VaeEncoderModel {
  /** Images [batch, 3, H, W] in [−1, 1] → q(z|x) at [batch, C, H/f, W/f]. */
  encode(images: FloatTensor): Promise<LatentDistribution>;
  dispose(): Promise<void>;
}

export interface VaeDecoderModel {
  /** Unscaled latents (z / scaling_factor) → images [batch, 3, H, W], roughly in [−1, 1]. */
  decode(latents: FloatTensor): Promise<FloatTensor>;
  dispose(): Promise<void>;
}
