// Every scheduler step here is affine in the sample x, the model output m, the previous
// step's denoised estimate h and fresh noise n, once its scalars are known. A scheduler
// therefore describes a step by those scalars (LinearStep) and one evaluator applies them:
// on the CPU below, or on the GPU beside the UNet's output (runtime/device-denoise.ts),
// so each scheduler's arithmetic is derived once for both.
import type { Rng } from '../../../core/random';
import type { PredictionType } from './config';
import { f32 } from './float32';
import { checkSameLength, requireRng, type StepResult } from './types';

export interface AffineXM {
  sample: number;
  model: number;
}

export interface LinearStep {
  /** x̂₀ = x0.sample·x + x0.model·m, clamped to ±clip when `clip` is set. */
  x0: AffineXM & { clip?: number };
  /** ε̂ = eps.sample·x + eps.model·m, from the unclamped prediction (as diffusers does). */
  eps: AffineXM;
  /**
   * d = denoised.sample·x + denoised.x0·x̂₀: the step's clean estimate (x̂₀ itself, or LCM's
   * boundary-conditioned one). Returned as predOriginalSample and kept as the next h.
   */
  denoised: { sample: number; x0: number };
  /** x_prev = prev.sample·x + prev.denoised·d + prev.eps·ε̂ + prev.history·h + prev.noise·n. */
  prev: { sample: number; denoised: number; eps: number; history: number; noise: number };
  /** n, drawn from the step's RNG in diffusers' order; present whenever the step draws. */
  noise?: Float32Array;
}

/** x̂₀ and ε̂ under the VP parameterisation x = a·x₀ + b·ε (a = √ᾱ, b = √(1−ᾱ)). */
export function vpPrediction(type: PredictionType, a: number, b: number): { x0: AffineXM; eps: AffineXM } {
  switch (type) {
    case 'epsilon':
      return { x0: { sample: 1 / a, model: -b / a }, eps: { sample: 0, model: 1 } };
    case 'sample':
      return { x0: { sample: 0, model: 1 }, eps: { sample: 1 / b, model: -a / b } };
    case 'v_prediction':
      // Salimans & Ho 2022: v = a·ε − b·x₀
      return { x0: { sample: a, model: -b }, eps: { sample: b, model: a } };
  }
}

export const NO_EPS: AffineXM = { sample: 0, model: 0 };

/** Draws the step's noise (length values) from the RNG a step needs. */
export function drawStepNoise(rng: Rng | undefined, length: number, who: string): Float32Array {
  const noise = new Float32Array(length);
  requireRng(rng, who).fillNormal(noise);
  return noise;
}

/**
 * Applies a step on the CPU. Each intermediate is rounded to float32 as the GPU graph
 * stores it; sums are formed in float64, so results agree with diffusers' float32 chain
 * to about an ulp of the largest term.
 */
export function applyLinearStep(step: LinearStep, modelOutput: Float32Array, sample: Float32Array, history: Float32Array | null): StepResult {
  checkSameLength(modelOutput, sample, 'scheduler step');
  const { x0: cx, eps: ce, denoised: cd, prev: cp, noise } = step;
  if (cp.history !== 0 && !history) throw new Error('scheduler step needs the previous step’s estimate, and there is none');
  if (cp.noise !== 0 && !noise) throw new Error('scheduler step adds noise but none was drawn');
  if (history) checkSameLength(history, sample, 'scheduler history');
  if (noise) checkSameLength(noise, sample, 'scheduler noise');
  const clip = cx.clip;
  const prevSample = new Float32Array(sample.length);
  const denoised = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) {
    const x = sample[i];
    const m = modelOutput[i];
    let x0 = f32(cx.sample * x + cx.model * m);
    if (clip !== undefined) x0 = Math.min(clip, Math.max(-clip, x0));
    const d = f32(cd.sample * x + cd.x0 * x0);
    let p = cp.sample * x + cp.denoised * d;
    if (cp.eps !== 0) p += cp.eps * f32(ce.sample * x + ce.model * m);
    if (cp.history !== 0) p += cp.history * history![i];
    if (cp.noise !== 0) p += cp.noise * noise![i];
    denoised[i] = d;
    prevSample[i] = p;
  }
  return { prevSample, predOriginalSample: denoised };
}
