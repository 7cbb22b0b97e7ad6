// Karras et al. (2022) noise levels σ = √((1−ᾱ)/ᾱ), used by the Euler and DPM-Solver
// schedulers, and diffusers' lookups between timesteps and step indices.
import { f32 } from './float32';

/** σ for every training timestep, in float32 as torch computes it. */
export function trainingSigmas(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((a) => f32(Math.sqrt(f32(f32(1 - a) / a))));
}

/** np.interp(x, arange(len(fp)), fp) in float64. */
export function interpAtTimestep(t: number, fp: Float32Array): number {
  if (t <= 0) return fp[0];
  if (t >= fp.length - 1) return fp[fp.length - 1];
  const j = Math.floor(t);
  const slope = (fp[j + 1] - fp[j]) / 1;
  return slope * (t - j) + fp[j];
}

/** Inference σ per timestep plus the final σ (0, or σ_min of the training schedule). */
export function inferenceSigmas(
  timesteps: readonly number[],
  alphasCumprod: Float32Array,
  finalSigmasType: 'zero' | 'sigma_min',
): Float32Array {
  const train = trainingSigmas(alphasCumprod);
  const last = finalSigmasType === 'zero' ? 0 : train[0];
  return Float32Array.from([...timesteps.map((t) => interpAtTimestep(t, train)), last]);
}

/**
 * diffusers index_for_timestep: the position of `t` in the schedule; when it occurs twice
 * the second one (so an img2img start does not skip a σ). `missing` is used when absent.
 */
export function indexForTimestep(timesteps: readonly number[], t: number, missing?: number): number {
  const hits = timesteps.flatMap((v, i) => (v === t ? [i] : []));
  if (hits.length === 0) {
    if (missing !== undefined) return missing;
    throw new Error(`timestep ${t} is not in the schedule [${timesteps.join(', ')}]`);
  }
  return hits.length > 1 ? hits[1] : hits[0];
}

/** α_t = 1/√(σ²+1), σ_t = σ·α_t: the VP parameters of a VE noise level. */
export function alphaSigmaFromSigma(sigma: number): { alphaT: number; sigmaT: number } {
  const alphaT = f32(1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1))));
  return { alphaT, sigmaT: f32(sigma * alphaT) };
}
