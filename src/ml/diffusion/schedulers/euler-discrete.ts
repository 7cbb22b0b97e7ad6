// Euler method on the probability-flow ODE in σ (Karras et al. 2022, Alg. 2 without
// churn), following diffusers 0.31 EulerDiscreteScheduler with s_churn = 0.
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { eulerTimesteps } from './inference-timesteps';
import { SigmaSchedulerBase } from './sigma-scheduler-base';
import { inferenceSigmas } from './sigmas';
import { checkSameLength, type Scheduler, type StepResult } from './types';

/** x̂₀ from a model output at noise level σ on the VE sample x. */
export function eulerPredictX0(config: Readonly<SchedulerConfig>, modelOutput: number, sample: number, sigma: number): number {
  switch (config.predictionType) {
    case 'epsilon':
      return f32(sample - f32(sigma * modelOutput));
    case 'sample':
      return modelOutput;
    case 'v_prediction': {
      const s2p1 = f32(f32(sigma * sigma) + 1);
      return f32(f32(modelOutput * f32(-sigma / f32(Math.sqrt(s2p1)))) + f32(sample / s2p1));
    }
  }
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

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    checkSameLength(modelOutput, sample, 'Euler step');
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmas[index];
    const dt = f32(this.sigmas[index + 1] - sigma);
    const prevSample = new Float32Array(sample.length);
    const predOriginalSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x0 = eulerPredictX0(this.config, modelOutput[i], sample[i], sigma);
      const derivative = f32(f32(sample[i] - x0) / sigma); // dx/dσ = (x − x̂₀)/σ
      predOriginalSample[i] = x0;
      prevSample[i] = sample[i] + f32(derivative * dt);
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}
