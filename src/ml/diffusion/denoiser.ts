// The denoiser interface (ARCHITECTURE.md): what the img2img pipeline needs from a UNet.
// Implemented by the ONNX UNet (onnx/onnx-unet-denoiser.ts) and, later, by a trainable
// tfjs UNet with LoRA. The pipeline never sees which one it has.
import type { LinearStep } from './schedulers';
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
   * `guidanceEmbedding` [batch, guidanceEmbeddingDim] is given exactly when the denoiser
   * declares `guidanceEmbeddingDim`, and is likewise the same object on every step.
   */
  predictNoise(latents: Float32Array, shape: LatentShape, timestep: number, textEmbeddings: FloatTensor, guidanceEmbedding?: FloatTensor): Promise<Float32Array>;
  /**
   * Width of the guidance-scale embedding of a guidance-distilled UNet (LCM's
   * `timestep_cond`, unet.config.time_cond_proj_dim). Such a UNet is guided through this
   * input and runs without CFG; undefined for UNets guided by CFG.
   */
  readonly guidanceEmbeddingDim?: number;
  /**
   * A denoising loop that keeps the latents where the UNet runs (GPU buffers), or
   * undefined when this denoiser has none (CPU execution providers). One per generation.
   */
  deviceLoop?(): DeviceDenoiseLoop | undefined;
  dispose(): Promise<void>;
}

/** What a device loop can hand back to the host (traces, and the final latents). */
export type DeviceLoopArray = 'latents' | 'denoised' | 'unet_input' | 'unet_output';

/**
 * The img2img loop with its tensors on the device: the pipeline still owns the schedule,
 * the RNG, progress and cancellation, and feeds each step's coefficients (LinearStep);
 * nothing is read back until `read`.
 */
export interface DeviceDenoiseLoop {
  /** Uploads the noised latents [1,C,H,W] and the first UNet input (`scaled`, the scheduler's scaleModelInput, one row per CFG branch). */
  start(latents: Float32Array, shape: LatentShape, scaled: Float32Array): Promise<void>;
  /** Runs the UNet at `timestep` on the current input. */
  predict(timestep: number, textEmbeddings: FloatTensor, guidanceEmbedding?: FloatTensor): Promise<void>;
  /** Guidance (for a batch of 2), the scheduler step, and the next UNet input (latents / nextDivisor). */
  advance(step: LinearStep, guidanceScale: number, nextDivisor: number): Promise<void>;
  read(what: DeviceLoopArray): Promise<Float32Array>;
  /** Frees the device tensors; the loop cannot be used after. */
  dispose(): void;
}
