// DDIM (Song, Meng & Ermon 2021), following diffusers 0.31 DDIMScheduler. Stateless between
// steps: the previous timestep is t − T/n.
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { ddimTimesteps } from './inference-timesteps';
import { alphaCumprodAt, noiseSchedule, vpAddNoise } from './noise-schedule';
import { drawStepNoise, vpPrediction, type LinearStep } from './linear-step';
import { PlannedScheduler } from './planned-scheduler';
import type { Scheduler, StepOptions } from './types';

export class DdimScheduler extends PlannedScheduler implements Scheduler {
  readonly kind = 'ddim' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float32Array;
  /** ᾱ used after the last step (1, or ᾱ₀ when set_alpha_to_one is false). */
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  private numInferenceSteps = 0;

  constructor(readonly config: Readonly<SchedulerConfig>) {
    super();
    this.alphasCumprod = noiseSchedule(config).alphasCumprod;
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = ddimTimesteps(numInferenceSteps, this.config);
    this.numInferenceSteps = numInferenceSteps;
    this.resetHistory();
  }

  setBeginIndex(): void {
    // DDIM finds its position from t alone.
  }

  modelInputDivisor(): number {
    return 1;
  }

  private alphaAt(t: number): number {
    return t >= 0 ? alphaCumprodAt(this.alphasCumprod, t) : this.finalAlphaCumprod;
  }

  planStep(timestep: number, length: number, options: StepOptions = {}): LinearStep {
    if (this.numInferenceSteps === 0) throw new Error('DDIM: call setTimesteps() before step()');
    const eta = options.eta ?? 0;
    const { predictionType, clipSample, clipSampleRange } = this.config;
    const prevT = timestep - Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    const alphaT = this.alphaAt(timestep);
    const alphaPrev = this.alphaAt(prevT);
    const betaT = f32(1 - alphaT);
    // σ_t of eq. 16; eta = 0 gives deterministic DDIM.
    const variance = f32(f32(f32(1 - alphaPrev) / betaT) * f32(1 - f32(alphaT / alphaPrev)));
    const stdDev = f32(eta * f32(Math.sqrt(variance)));
    const { x0, eps } = vpPrediction(predictionType, f32(Math.sqrt(alphaT)), f32(Math.sqrt(betaT)));
    return {
      // diffusers re-derives ε from a clipped x̂₀ only with use_clipped_model_output; the pipelines do not.
      x0: clipSample ? { ...x0, clip: clipSampleRange } : x0,
      eps,
      denoised: { sample: 0, x0: 1 },
      prev: {
        sample: 0,
        denoised: f32(Math.sqrt(alphaPrev)),
        eps: f32(Math.sqrt(f32(f32(1 - alphaPrev) - f32(stdDev * stdDev)))),
        history: 0,
        noise: eta > 0 ? stdDev : 0,
      },
      noise: eta > 0 ? drawStepNoise(options.rng, length, 'DDIM with eta > 0') : undefined,
    };
  }

  addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array {
    return vpAddNoise(this.alphasCumprod, original, noise, timesteps, 'DDIM');
  }
}
