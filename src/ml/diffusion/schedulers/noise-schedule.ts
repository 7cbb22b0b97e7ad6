// β_t and ᾱ_t = Π(1−β) as diffusers 0.31 builds them in each scheduler's __init__.
import type { SchedulerConfig } from './config';
import { cumprodF32, f32, torchLinspaceF32 } from './float32';
import { checkSameLength, perItemTimesteps } from './types';

export interface NoiseSchedule {
  betas: Float32Array;
  alphasCumprod: Float32Array;
}

// diffusers betas_for_alpha_bar (cosine schedule, Nichol & Dhariwal 2021), computed in
// float64 then stored as float32.
function cosineBetas(n: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
  return Float32Array.from({ length: n }, (_, i) => Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta));
}

function betasFor(config: SchedulerConfig): Float32Array {
  const n = config.numTrainTimesteps;
  if (config.trainedBetas) {
    if (config.trainedBetas.length !== n) throw new Error(`trained_betas has ${config.trainedBetas.length} values, expected ${n}`);
    return Float32Array.from(config.trainedBetas);
  }
  switch (config.betaSchedule) {
    case 'linear':
      return torchLinspaceF32(config.betaStart, config.betaEnd, n);
    case 'scaled_linear':
      // Latent diffusion's schedule: linear in √β, then squared (in float32).
      return torchLinspaceF32(Math.sqrt(config.betaStart), Math.sqrt(config.betaEnd), n).map((x) => f32(x * x));
    case 'squaredcos_cap_v2':
      return cosineBetas(n);
  }
}

// Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed", Alg. 1:
// shift and scale √ᾱ so the last step has zero SNR. Same float32 op order as diffusers.
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const sqrtAc = cumprodF32(betas.map((b) => f32(1 - b))).map((a) => f32(Math.sqrt(a)));
  const first = sqrtAc[0];
  const last = sqrtAc[sqrtAc.length - 1];
  const scale = f32(first / f32(first - last));
  const alphaBar = sqrtAc.map((s) => {
    const shifted = f32(f32(s - last) * scale);
    return f32(shifted * shifted);
  });
  return alphaBar.map((ab, i) => f32(1 - (i === 0 ? ab : f32(ab / alphaBar[i - 1]))));
}

export function noiseSchedule(config: SchedulerConfig): NoiseSchedule {
  let betas = betasFor(config);
  if (config.rescaleBetasZeroSnr) betas = rescaleZeroTerminalSnr(betas);
  const alphasCumprod = cumprodF32(betas.map((b) => f32(1 - b)));
  return { betas, alphasCumprod };
}

/** ᾱ_t for an integer training timestep; fractional or out-of-range t is a caller error. */
export function alphaCumprodAt(alphasCumprod: Float32Array, t: number): number {
  if (!Number.isInteger(t) || t < 0 || t >= alphasCumprod.length) {
    throw new Error(`timestep ${t} is not an integer training timestep in [0, ${alphasCumprod.length})`);
  }
  return alphasCumprod[t];
}

/** DDPM forward noising √ᾱ_t·x₀ + √(1−ᾱ_t)·ε in float32, as diffusers' VP schedulers' add_noise. */
export function vpAddNoise(alphasCumprod: Float32Array, original: Float32Array, noise: Float32Array, timesteps: number | readonly number[], who: string): Float32Array {
  checkSameLength(original, noise, `${who} addNoise`);
  const tOf = perItemTimesteps(original.length, timesteps);
  return original.map((x, i) => {
    const ac = alphaCumprodAt(alphasCumprod, tOf(i));
    return f32(f32(Math.sqrt(ac)) * x) + f32(f32(Math.sqrt(f32(1 - ac))) * noise[i]);
  });
}
