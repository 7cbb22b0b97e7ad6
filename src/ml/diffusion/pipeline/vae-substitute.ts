// A VAE from another folder in place of the pipeline's own (TAESD, a fine-tuned SD VAE).
// Exports disagree on two conventions a wrong guess silently ruins: the image range the
// encoder takes and the decoder returns ([−1, 1] for diffusers' AutoencoderKL and
// AutoencoderTiny, [0, 1] for madebyollin's raw TAESD), and the latent scaling factor
// (0.18215 for the SD VAE, 1 for TAESD, whose latents are already scaled). The scaling
// factor comes from the VAE's config.json, or AutoencoderTiny's 1 without one; the image
// range is measured: a smooth test image with negative values must survive the round trip.
import type { LatentDistribution, VaeDecoderModel, VaeEncoderModel } from '../components';
import type { FloatTensor } from '../tensor';
import { Img2ImgPipeline } from './img2img';
import type { PipelineConfig } from './pipeline-config';

export type VaeImageRange = 'signed' | 'unit';

/** Mean |Δ| on the [−1, 1] scale below which a round trip counts as a reconstruction. */
export const ROUND_TRIP_TOLERANCE = 0.1;

export class VaeSubstituteError extends Error {
  override name = 'VaeSubstituteError';
}

type Json = Record<string, unknown>;

/** Scaling and shift factors from the substitute's config.json (AutoencoderTiny's when absent). */
export function substituteScaling(config: Json | undefined): { scalingFactor: number; shiftFactor: number; note: string } {
  if (!config) {
    return { scalingFactor: 1, shiftFactor: 0, note: 'VAE has no config.json: assumed TAESD / AutoencoderTiny latents (scaling factor 1)' };
  }
  const scalingFactor = typeof config.scaling_factor === 'number' ? config.scaling_factor : config._class_name === 'AutoencoderTiny' ? 1 : 0.18215;
  const shiftFactor = typeof config.shift_factor === 'number' ? config.shift_factor : 0;
  return { scalingFactor, shiftFactor, note: `VAE config: ${String(config._class_name ?? 'unnamed class')}, scaling factor ${scalingFactor}` };
}

/** A smooth 3-channel image in [−0.9, 0.9] (NCHW): gradients and a slow wave, half of it negative. */
export function roundTripTestImage(size: number): FloatTensor {
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / (size - 1);
      const v = y / (size - 1);
      const base = -0.9 + 1.8 * u;
      data[y * size + x] = base;
      data[plane + y * size + x] = 0.9 * Math.cos(Math.PI * v) * 0.8 + 0.1 * base;
      data[2 * plane + y * size + x] = -0.9 + 1.8 * (0.5 * u + 0.5 * v);
    }
  }
  return { data, shape: [1, 3, size, size] };
}

const latentOf = (d: LatentDistribution): FloatTensor => (d.kind === 'gaussian' ? d.mean : d.latent);
const toUnit = (t: FloatTensor): FloatTensor => ({ data: t.data.map((v) => (v + 1) / 2), shape: t.shape });
const fromUnit = (t: FloatTensor): FloatTensor => ({ data: t.data.map((v) => 2 * v - 1), shape: t.shape });

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/**
 * Which image range the substitute works in, and that its shapes fit the pipeline. The
 * signed range is tried first and kept when it reconstructs: a model that takes [−1, 1]
 * also reconstructs [0, 1] inputs, but a [0, 1] model loses the negative half.
 */
export async function measureImageRange(encoder: VaeEncoderModel, decoder: VaeDecoderModel, config: PipelineConfig): Promise<{ range: VaeImageRange; errors: Record<VaeImageRange, number> }> {
  const size = config.sizeMultiple * Math.max(1, Math.ceil(64 / config.sizeMultiple));
  const image = roundTripTestImage(size);
  const roundTrip = async (range: VaeImageRange): Promise<number> => {
    const latent = latentOf(await encoder.encode(range === 'signed' ? image : toUnit(image)));
    const [, c, h, w] = latent.shape;
    if (c !== config.latentChannels) {
      throw new VaeSubstituteError(`the VAE makes ${c}-channel latents; this pipeline's UNet takes ${config.latentChannels}`);
    }
    if (h * config.vaeScaleFactor !== size || w * config.vaeScaleFactor !== size) {
      throw new VaeSubstituteError(`the VAE maps ${size}×${size} images to ${w}×${h} latents; this pipeline needs a scale factor of ${config.vaeScaleFactor}`);
    }
    const decoded = await decoder.decode(latent);
    if (decoded.shape.join(',') !== image.shape.join(',')) {
      throw new VaeSubstituteError(`the VAE decoder returns [${decoded.shape.join(', ')}] for [${latent.shape.join(', ')}] latents; expected [${image.shape.join(', ')}]`);
    }
    return meanAbsDiff((range === 'signed' ? decoded : fromUnit(decoded)).data, image.data);
  };
  const signed = await roundTrip('signed');
  if (signed <= ROUND_TRIP_TOLERANCE) return { range: 'signed', errors: { signed, unit: NaN } };
  const unit = await roundTrip('unit');
  if (unit <= ROUND_TRIP_TOLERANCE) return { range: 'unit', errors: { signed, unit } };
  throw new VaeSubstituteError(
    `the VAE does not reconstruct a test image (mean error ${signed.toFixed(3)} with images in [−1, 1], ${unit.toFixed(3)} in [0, 1]; ` +
      `a working SD VAE stays under ${ROUND_TRIP_TOLERANCE}): is it a VAE for this model family, encoder and decoder of the same model?`,
  );
}

/** The substitute as the pipeline uses it: [−1, 1] images in and out, whatever it takes. */
export function adaptToSignedRange(encoder: VaeEncoderModel, decoder: VaeDecoderModel, range: VaeImageRange): { encoder: VaeEncoderModel; decoder: VaeDecoderModel } {
  if (range === 'signed') return { encoder, decoder };
  return {
    encoder: { encode: (images) => encoder.encode(toUnit(images)), dispose: () => encoder.dispose() },
    decoder: { decode: async (latents) => fromUnit(await decoder.decode(latents)), dispose: () => decoder.dispose() },
  };
}

/**
 * `pipeline` (whose VAE sessions were created from the substitute's folder) fitted to the
 * substitute's conventions: its scaling factor, and [−1, 1] images at the pipeline's side.
 */
export async function fitSubstituteVae(pipeline: Img2ImgPipeline, vaeConfig: Json | undefined, label: string) {
  const c = pipeline.components;
  const scaling = substituteScaling(vaeConfig);
  const { range, errors } = await measureImageRange(c.vaeEncoder, c.vaeDecoder, c.config);
  const { encoder, decoder } = adaptToSignedRange(c.vaeEncoder, c.vaeDecoder, range);
  const config = { ...c.config, scalingFactor: scaling.scalingFactor, shiftFactor: scaling.shiftFactor };
  return {
    pipeline: new Img2ImgPipeline({ ...c, vaeEncoder: encoder, vaeDecoder: decoder, config }),
    vae: { source: label, imageRange: range, scalingFactor: scaling.scalingFactor },
    notes: [
      `VAE from ${label}: ${scaling.note}; images in ${range === 'signed' ? '[−1, 1]' : '[0, 1]'} (round-trip error ${(range === 'signed' ? errors.signed : errors.unit).toFixed(3)})`,
    ],
  };
}
