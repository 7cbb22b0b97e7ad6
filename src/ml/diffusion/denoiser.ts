// The denoiser interface (ARCHITECTURE.md): what the img2img pipeline needs from a UNet.
// Implemented by the ONNX UNet (onnx/onnx-unet-denoiser.ts) and, later, by a trainable
// tfjs UNet with LoRA. The pipeline never sees which one it has.
import type { FloatTensor } from './tensor';

/** [batch, channels, height, width] of the latents. */
export type LatentShape = readonly [batch: number, channels: number, height: number, width: number];

export interface Denoiser {
  /**
   * The UNet output for `latents` (NCHW, already scaled by the scheduler's
   * `scaleModelInput`) at `timestep`, conditioned on `textEmbeddings` [batch, tokens, dim].
   * Despite the name (kept from the architecture notes) the output is whatever the model
   * was trained to predict — ε, v or x₀ — and the scheduler's `predictionType` says which.
   * For classifier-free guidance the caller batches [uncond, cond]; `latents` and
   * `textEmbeddings` must have the same batch size. The same `textEmbeddings` object is
   * passed on every step, so implementations may cache its device copy by identity.
   */
  predictNoise(latents: Float32Array, shape: LatentShape, timestep: number, textEmbeddings: FloatTensor): Promise<Float32Array>;
  dispose(): Promise<void>;
}
