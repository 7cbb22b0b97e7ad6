// PNDM (Liu et al. 2022) as diffusers 0.31 PNDMScheduler runs it for Stable Diffusion
// (SD-1.x's own scheduler): skip_prk_steps=True, i.e. pseudo linear multistep (PLMS) only.
// The second model evaluation repeats the first step with the mean of both outputs (the
// schedule lists that timestep twice), later steps mix up to four past outputs with
// Adams–Bashforth weights. That history does not fit a LinearStep, so PNDM steps on the
// CPU only (plansSteps = false).
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { ddimTimesteps } from './inference-timesteps';
import type { LinearStep } from './linear-step';
import { alphaCumprodAt, noiseSchedule, vpAddNoise } from './noise-schedule';
import { checkSameLength, type Scheduler, type StepResult } from './types';

// step_plms's ε combinations: weights newest output first, summed left to right and then
// divided (or, for four outputs, multiplied by 1/24) in float32 as torch evaluates them.
const PLMS: Record<number, { w: number[]; scale: (x: number) => number }> = {
  2: { w: [3, -1], scale: (x) => f32(x / 2) },
  3: { w: [23, -16, 5], scale: (x) => f32(x / 12) },
  4: { w: [55, -59, 37, -9], scale: (x) => f32(f32(1 / 24) * x) },
};

export class PndmScheduler implements Scheduler {
  readonly kind = 'pndm' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly plansSteps = false;
  readonly alphasCumprod: Float32Array;
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  private numInferenceSteps = 0;
  private ets: Float32Array[] = [];
  private counter = 0;
  private curSample: Float32Array | null = null;

  constructor(readonly config: Readonly<SchedulerConfig>) {
    this.alphasCumprod = noiseSchedule(config).alphasCumprod;
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    // _timesteps ascending (the DDIM spacings, reversed); PLMS lists the second-to-last twice.
    const asc = ddimTimesteps(numInferenceSteps, this.config).reverse();
    const plms = asc.length > 1 ? [...asc.slice(0, -1), asc[asc.length - 2], asc[asc.length - 1]] : asc;
    this.timesteps = plms.reverse();
    this.numInferenceSteps = numInferenceSteps;
    this.ets = [];
    this.counter = 0;
    this.curSample = null;
  }

  setBeginIndex(): void {
    // PNDMScheduler has no begin index: its counter starts at the first step it is given.
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  modelInputDivisor(): number {
    return 1;
  }

  planStep(): LinearStep {
    throw new Error('PNDM mixes up to four past model outputs, which a LinearStep cannot express: step it on the CPU (step())');
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    if (this.numInferenceSteps === 0) throw new Error('PNDM: call setTimesteps() before step()');
    checkSameLength(modelOutput, sample, 'PNDM step');
    const ratio = Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    let t = timestep;
    let prevT = timestep - ratio;
    if (this.counter !== 1) {
      this.ets = [...this.ets.slice(-3), modelOutput.slice()];
    } else {
      prevT = timestep;
      t = timestep + ratio;
    }
    let eps: Float32Array;
    let x = sample;
    const e = this.ets;
    if (e.length === 1 && this.counter === 0) {
      eps = modelOutput;
      this.curSample = sample;
    } else if (e.length === 1 && this.counter === 1) {
      eps = modelOutput.map((v, i) => f32(f32(v + e[0][i]) / 2));
      x = this.curSample!;
      this.curSample = null;
    } else {
      const { w, scale } = PLMS[e.length];
      const newestFirst = [...e].reverse();
      eps = modelOutput.map((_, i) => {
        let acc = f32(w[0] * newestFirst[0][i]);
        for (let k = 1; k < w.length; k++) acc = f32(acc + f32(w[k] * newestFirst[k][i]));
        return scale(acc);
      });
    }
    const result = this.prevSample(x, t, prevT, eps);
    this.counter++;
    return result;
  }

  // PNDM eq. (9): x_{t−δ} = √(ᾱ_{t−δ}/ᾱ_t)·x_t − (ᾱ_{t−δ} − ᾱ_t)·ε / (ᾱ_t·√(1−ᾱ_{t−δ}) + √(ᾱ_t(1−ᾱ_t)ᾱ_{t−δ})).
  private prevSample(sample: Float32Array, t: number, prevT: number, output: Float32Array): StepResult {
    const a = alphaCumprodAt(this.alphasCumprod, t);
    const aPrev = prevT >= 0 ? alphaCumprodAt(this.alphasCumprod, prevT) : this.finalAlphaCumprod;
    const b = f32(1 - a);
    const bPrev = f32(1 - aPrev);
    const { predictionType } = this.config;
    if (predictionType === 'sample') throw new Error('PNDM: prediction_type "sample" is not supported (diffusers: epsilon or v_prediction)');
    const eps = predictionType === 'v_prediction' ? output.map((v, i) => f32(f32(f32(Math.sqrt(a)) * v) + f32(f32(Math.sqrt(b)) * sample[i]))) : output;
    const sampleCoeff = f32(Math.sqrt(f32(aPrev / a)));
    const denom = f32(f32(a * f32(Math.sqrt(bPrev))) + f32(Math.sqrt(f32(f32(a * b) * aPrev))));
    const diff = f32(aPrev - a);
    const prevSample = sample.map((x, i) => f32(f32(sampleCoeff * x) - f32(f32(diff * eps[i]) / denom)));
    // not part of diffusers' PNDM output; the x̂₀ the combined ε implies, for traces
    const predOriginalSample = sample.map((x, i) => f32(f32(x - f32(f32(Math.sqrt(b)) * eps[i])) / f32(Math.sqrt(a))));
    return { prevSample, predOriginalSample };
  }

  addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array {
    return vpAddNoise(this.alphasCumprod, original, noise, timesteps, 'PNDM');
  }
}
