// Euler ancestral sampling (k-diffusion sample_euler_ancestral), following diffusers 0.31
// EulerAncestralDiscreteScheduler: an Euler step down to σ_down, then fresh noise of
// scale σ_up so that σ_down² + σ_up² = σ_next².
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { eulerInitNoiseSigma, eulerStep } from './euler-discrete';
import { drawStepNoise, type LinearStep } from './linear-step';
import { eulerTimesteps } from './inference-timesteps';
import { SigmaSchedulerBase } from './sigma-scheduler-base';
import { inferenceSigmas } from './sigmas';
import { requireRng, type Scheduler, type StepOptions } from './types';

export class EulerAncestralScheduler extends SigmaSchedulerBase implements Scheduler {
  readonly kind = 'euler-ancestral' as const;

  constructor(config: Readonly<SchedulerConfig>) {
    super(config);
    // diffusers raises NotImplementedError for this combination too.
    if (config.predictionType === 'sample') throw new Error('Euler ancestral does not support prediction_type "sample"');
  }

  get initNoiseSigma(): number {
    return eulerInitNoiseSigma(this.config, this.sigmas);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = eulerTimesteps(numInferenceSteps, this.config);
    // EulerAncestralDiscreteScheduler always appends σ = 0.
    this.sigmas = inferenceSigmas(this.timesteps, this.alphasCumprod, 'zero');
    this.resetState();
  }

  planStep(timestep: number, length: number, options: StepOptions = {}): LinearStep {
    const rng = requireRng(options.rng, 'Euler ancestral');
    const index = this.ensureStepIndex(timestep);
    const sigmaFrom = this.sigmas[index];
    const sigmaTo = this.sigmas[index + 1];
    const from2 = f32(sigmaFrom * sigmaFrom);
    const to2 = f32(sigmaTo * sigmaTo);
    const sigmaUp = f32(Math.sqrt(f32(f32(to2 * f32(from2 - to2)) / from2)));
    const sigmaDown = f32(Math.sqrt(f32(to2 - f32(sigmaUp * sigmaUp))));
    // diffusers draws the noise on every step, also the last one where σ_up = 0.
    const values = drawStepNoise(rng, length, 'Euler ancestral');
    this.stepIndex = index + 1;
    return eulerStep(this.config, sigmaFrom, f32(sigmaDown - sigmaFrom), { values, scale: sigmaUp });
  }
}
