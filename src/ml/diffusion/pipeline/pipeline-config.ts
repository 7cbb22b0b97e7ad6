// Pipeline-level numbers read from the diffusers folder's configs.

export interface PipelineConfig {
  /** Image pixels per latent pixel: 2^(len(vae.block_out_channels) − 1); 8 for SD, 2 for the tiny fixture. */
  vaeScaleFactor: number;
  /** vae.scaling_factor (0.18215 for SD-1.x): unit-variance latents for the UNet. */
  scalingFactor: number;
  /** vae.shift_factor (SD3/Flux VAEs); 0 for SD-1.x. */
  shiftFactor: number;
  latentChannels: number;
  /** Image sides must be multiples of this: vaeScaleFactor × the UNet's total downsampling. */
  sizeMultiple: number;
  /** unet.sample_size × vaeScaleFactor (512 for SD-1.5). */
  defaultHeight: number;
  defaultWidth: number;
  /** what was assumed because a config file was absent (shown with the pipeline info) */
  assumptions?: string[];
  /** Tokenizer pad id: <|endoftext|> for SD-1.x (CLIPTokenizer pad_token). */
  padTokenId?: number;
}

type Json = Record<string, unknown>;

function numberArray(v: unknown): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? v : undefined;
}

/**
 * The AutoencoderKL of SD-1.x and SD-2.x (and SD-Turbo): 4 blocks (scale factor 8), 4 latent
 * channels, scaling factor 0.18215. Several public ONNX exports ship only model.onnx for
 * the VAE (no config.json), so these are the defaults then — and said so.
 */
export const SD_VAE_DEFAULTS: Json = { block_out_channels: [128, 256, 512, 512], latent_channels: 4, scaling_factor: 0.18215 };

export function pipelineConfigFromDiffusers(vaeConfig: Json, unetConfig: Json | undefined): PipelineConfig {
  const vaeBlocks = numberArray(vaeConfig.block_out_channels);
  if (!vaeBlocks) throw new Error('VAE config has no block_out_channels: cannot derive the VAE scale factor');
  const vaeScaleFactor = 2 ** (vaeBlocks.length - 1);
  const unetBlocks = unetConfig ? numberArray(unetConfig.block_out_channels) : undefined;
  const unetDownsampling = unetBlocks ? 2 ** (unetBlocks.length - 1) : 8;
  const sampleSize = unetConfig?.sample_size;
  const latentSide = typeof sampleSize === 'number' ? sampleSize : Array.isArray(sampleSize) ? undefined : 64;
  const [latentH, latentW] = Array.isArray(sampleSize) ? (sampleSize as number[]) : [latentSide ?? 64, latentSide ?? 64];
  return {
    vaeScaleFactor,
    scalingFactor: typeof vaeConfig.scaling_factor === 'number' ? vaeConfig.scaling_factor : 0.18215,
    shiftFactor: typeof vaeConfig.shift_factor === 'number' ? vaeConfig.shift_factor : 0,
    latentChannels: typeof vaeConfig.latent_channels === 'number' ? vaeConfig.latent_channels : 4,
    sizeMultiple: vaeScaleFactor * unetDownsampling,
    defaultHeight: latentH * vaeScaleFactor,
    defaultWidth: latentW * vaeScaleFactor,
  };
}
