// DDIM (Song, Meng & Ermon 2021), following diffusers 0.31 DDIMScheduler. Stateless between
// steps: the previous timestep is t − T/n.
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { ddimTimesteps } from './inference-timesteps';
import { alphaCumprodAt, noiseSchedule } from './noise-schedule';
import { predictX0AndEps } from './prediction';
import {
  checkSameLength,
  perItemTimesteps,
  requireRng,
  type Scheduler,
  type StepOptions,
  type StepResult,
} from './types';

export class DdimScheduler implements Scheduler {
  readonly kind = 'ddim' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float32Array;
  /** ᾱ used after the last step (1, or ᾱ₀ when set_alpha_to_one is false). */
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  private numInferenceSteps = 0;

  constructor(readonly config: Readonly<SchedulerConfig>) {
    this.alphasCumprod = noiseSchedule(config).alphasCumprod;
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = ddimTimesteps(numInferenceSteps, this.config);
    this.numInferenceSteps = numInferenceSteps;
  }

  setBeginIndex(): void {
    // DDIM finds its position from t alone.
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  private alphaAt(t: number): number {
    return t >= 0 ? alphaCumprodAt(this.alphasCumprod, t) : this.finalAlphaCumprod;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): StepResult {
    if (this.numInferenceSteps === 0) throw new Error('DDIM: call setTimesteps() before step()');
    checkSameLength(modelOutput, sample, 'DDIM step');
    const eta = options.eta ?? 0;
    const { predictionType, clipSample, clipSampleRange } = this.config;
    const prevT = timestep - Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    const alphaT = this.alphaAt(timestep);
    const alphaPrev = this.alphaAt(prevT);
    const betaT = f32(1 - alphaT);
    const a = f32(Math.sqrt(alphaT));
    const b = f32(Math.sqrt(betaT));
    // σ_t of eq. 16; eta = 0 gives deterministic DDIM.
    const variance = f32(f32(f32(1 - alphaPrev) / betaT) * f32(1 - f32(alphaT / alphaPrev)));
    const stdDev = f32(eta * f32(Math.sqrt(variance)));
    const dirCoeff = f32(Math.sqrt(f32(f32(1 - alphaPrev) - f32(stdDev * stdDev))));
    const prevCoeff = f32(Math.sqrt(alphaPrev));

    const prevSample = new Float32Array(sample.length);
    const predOriginalSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const [x0Raw, eps] = predictX0AndEps(predictionType, modelOutput[i], sample[i], a, b);
      let x0 = x0Raw;
      if (clipSample) {
        x0 = Math.min(clipSampleRange, Math.max(-clipSampleRange, x0));
        // diffusers re-derives ε only with use_clipped_model_output; the pipelines do not.
      }
      predOriginalSample[i] = x0;
      prevSample[i] = f32(prevCoeff * x0) + f32(dirCoeff * eps);
    }
    if (eta > 0) {
      const noise = new Float32Array(sample.length);
      requireRng(options.rng, 'DDIM with eta > 0').fillNormal(noise);
      for (let i = 0; i < sample.length; i++) prevSample[i] += stdDev * noise[i];
    }
    return { prevSample, predOriginalSample };
  }

  addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array {
    checkSameLength(original, noise, 'DDIM addNoise');
    const tOf = perItemTimesteps(original.length, timesteps);
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) {
      const ac = alphaCumprodAt(this.alphasCumprod, tOf(i));
      out[i] = f32(f32(Math.sqrt(ac)) * original[i]) + f32(f32(Math.sqrt(f32(1 - ac))) * noise[i]);
    }
    return out;
  }
}
