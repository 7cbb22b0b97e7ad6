// Latent Consistency Model multistep sampling (Luo et al. 2023, Alg. 3), following
// diffusers 0.31 LCMScheduler: predict x̂₀, apply the consistency boundary condition
// (c_skip, c_out), then re-noise to the next timestep with fresh noise.
import type { SchedulerConfig } from './config';
import { f32, linspace } from './float32';
import { alphaCumprodAt, noiseSchedule, vpAddNoise } from './noise-schedule';
import { drawStepNoise, NO_EPS, vpPrediction, type LinearStep } from './linear-step';
import { PlannedScheduler } from './planned-scheduler';
import { indexForTimestep } from './sigmas';
import type { Scheduler, StepOptions } from './types';

const SIGMA_DATA = 0.5;

export class LcmScheduler extends PlannedScheduler implements Scheduler {
  readonly kind = 'lcm' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float32Array;
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  private stepIndex: number | null = null;
  private beginIndex: number | null = null;

  constructor(readonly config: Readonly<SchedulerConfig>) {
    super();
    this.alphasCumprod = noiseSchedule(config).alphasCumprod;
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  /**
   * The n timesteps are picked, evenly by index, from the `original_inference_steps`
   * skipping-step schedule the model was distilled on. `strength` < 1 (LCM's own img2img
   * pipeline) shortens that schedule first.
   */
  setTimesteps(numInferenceSteps: number, { strength = 1 }: { strength?: number } = {}): void {
    const T = this.config.numTrainTimesteps;
    const original = this.config.originalInferenceSteps;
    if (original > T) throw new Error(`LCM: original_inference_steps ${original} > ${T} training steps`);
    if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > original) {
      throw new Error(`LCM: numInferenceSteps must be in [1, ${original}], got ${numInferenceSteps}`);
    }
    const k = Math.floor(T / original);
    const origin = Array.from({ length: Math.floor(original * strength) }, (_, i) => (i + 1) * k - 1).reverse();
    if (Math.floor(origin.length / numInferenceSteps) < 1) {
      throw new Error(`LCM: ${numInferenceSteps} steps need strength × ${original} ≥ ${numInferenceSteps}`);
    }
    this.timesteps = linspace(0, origin.length, numInferenceSteps, false).map((x) => origin[Math.floor(x)]);
    this.stepIndex = null;
    this.beginIndex = null;
    this.resetHistory();
  }

  setBeginIndex(beginIndex: number): void {
    this.beginIndex = beginIndex;
  }

  modelInputDivisor(): number {
    return 1;
  }

  planStep(timestep: number, length: number, options: StepOptions = {}): LinearStep {
    if (this.timesteps.length === 0) throw new Error('LCM: call setTimesteps() first');
    const index = (this.stepIndex ??= this.beginIndex ?? indexForTimestep(this.timesteps, timestep));
    const last = index === this.timesteps.length - 1;
    const prevT = last ? timestep : this.timesteps[index + 1];
    const alphaT = alphaCumprodAt(this.alphasCumprod, timestep);
    const alphaPrev = prevT >= 0 ? alphaCumprodAt(this.alphasCumprod, prevT) : this.finalAlphaCumprod;
    // Consistency-model boundary condition (Song et al. 2023, eq. 8), timestep scaled ×10.
    const scaled = timestep * this.config.timestepScaling;
    const cSkip = SIGMA_DATA ** 2 / (scaled ** 2 + SIGMA_DATA ** 2);
    const cOut = scaled / Math.sqrt(scaled ** 2 + SIGMA_DATA ** 2);
    const { clipSample, clipSampleRange } = this.config;
    const { x0 } = vpPrediction(this.config.predictionType, f32(Math.sqrt(alphaT)), f32(Math.sqrt(f32(1 - alphaT))));
    // Every step but the last re-noises the denoised estimate to the next timestep.
    const noise = last ? undefined : drawStepNoise(options.rng, length, 'LCM');
    this.stepIndex = index + 1;
    return {
      x0: clipSample ? { ...x0, clip: clipSampleRange } : x0,
      eps: NO_EPS,
      denoised: { sample: f32(cSkip), x0: f32(cOut) },
      prev: {
        sample: 0,
        denoised: last ? 1 : f32(Math.sqrt(alphaPrev)),
        eps: 0,
        history: 0,
        noise: last ? 0 : f32(Math.sqrt(f32(1 - alphaPrev))),
      },
      noise,
    };
  }

  addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array {
    return vpAddNoise(this.alphasCumprod, original, noise, timesteps, 'LCM');
  }
}
