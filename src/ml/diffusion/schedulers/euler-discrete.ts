// Euler method on the probability-flow ODE in σ (Karras et al. 2022, Alg. 2 without
// churn), following diffusers 0.31 EulerDiscreteScheduler with s_churn = 0.
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { eulerTimesteps } from './inference-timesteps';
import { SigmaSchedulerBase } from './sigma-scheduler-base';
import { inferenceSigmas } from './sigmas';
import { NO_EPS, type AffineXM, type LinearStep } from './linear-step';
import type { Scheduler } from './types';

/** x̂₀ as an affine function of the VE sample x and the model output at noise level σ. */
export function eulerX0(config: Readonly<SchedulerConfig>, sigma: number): AffineXM {
  switch (config.predictionType) {
    case 'epsilon':
      return { sample: 1, model: -sigma };
    case 'sample':
      return { sample: 0, model: 1 };
    case 'v_prediction': {
      const s2p1 = f32(f32(sigma * sigma) + 1);
      return { sample: 1 / s2p1, model: -sigma / f32(Math.sqrt(s2p1)) };
    }
  }
}

/**
 * An Euler step from σ to σ + dt on the VE sample, dx/dσ = (x − x̂₀)/σ, with `noise` of
 * scale σ_up added (Euler ancestral).
 */
export function eulerStep(config: Readonly<SchedulerConfig>, sigma: number, dt: number, noise?: { values: Float32Array; scale: number }): LinearStep {
  const r = dt / sigma;
  return {
    x0: eulerX0(config, sigma),
    eps: NO_EPS,
    denoised: { sample: 0, x0: 1 },
    prev: { sample: 1 + r, denoised: -r, eps: 0, history: 0, noise: noise?.scale ?? 0 },
    noise: noise?.values,
  };
}

/** diffusers init_noise_sigma: σ_max for linspace/trailing spacing, else √(σ_max²+1). */
export function eulerInitNoiseSigma(config: Readonly<SchedulerConfig>, sigmas: Float32Array): number {
  const maxSigma = sigmas.reduce((m, s) => Math.max(m, s), 0);
  if (config.timestepSpacing === 'linspace' || config.timestepSpacing === 'trailing') return maxSigma;
  return f32(Math.sqrt(f32(f32(maxSigma * maxSigma) + 1)));
}

export class EulerDiscreteScheduler extends SigmaSchedulerBase implements Scheduler {
  readonly kind = 'euler-discrete' as const;

  get initNoiseSigma(): number {
    return eulerInitNoiseSigma(this.config, this.sigmas);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = eulerTimesteps(numInferenceSteps, this.config);
    this.sigmas = inferenceSigmas(this.timesteps, this.alphasCumprod, this.config.finalSigmasType);
    this.resetState();
  }

  planStep(timestep: number): LinearStep {
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmas[index];
    this.stepIndex = index + 1;
    return eulerStep(this.config, sigma, f32(this.sigmas[index + 1] - sigma));
  }
}
