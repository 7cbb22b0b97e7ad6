// State shared by the σ-parameterised schedulers (Euler, Euler ancestral, DPM-Solver++):
// the inference σ table, diffusers' step index / begin index bookkeeping, and the
// step-index-based add_noise used by img2img.
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { noiseSchedule } from './noise-schedule';
import { PlannedScheduler } from './planned-scheduler';
import { indexForTimestep } from './sigmas';
import { checkSameLength, perItemTimesteps } from './types';

export abstract class SigmaSchedulerBase extends PlannedScheduler {
  readonly order = 1;
  readonly alphasCumprod: Float32Array;
  timesteps: number[] = [];
  /** σ per inference step plus the final σ. */
  sigmas: Float32Array = new Float32Array(0);
  protected stepIndex: number | null = null;
  protected beginIndex: number | null = null;

  constructor(readonly config: Readonly<SchedulerConfig>) {
    super();
    this.alphasCumprod = noiseSchedule(config).alphasCumprod;
  }

  setBeginIndex(beginIndex: number): void {
    this.beginIndex = beginIndex;
  }

  /** Index of the step `step()` will take next (null before the first step). */
  get currentStepIndex(): number | null {
    return this.stepIndex;
  }

  protected resetState(): void {
    this.stepIndex = null;
    this.beginIndex = null;
    this.resetHistory();
  }

  protected indexFor(t: number): number {
    return indexForTimestep(this.timesteps, t);
  }

  protected ensureStepIndex(timestep: number): number {
    if (this.timesteps.length === 0) throw new Error(`${this.constructor.name}: call setTimesteps() first`);
    this.stepIndex ??= this.beginIndex ?? this.indexFor(timestep);
    if (this.stepIndex >= this.timesteps.length) {
      throw new Error(`${this.constructor.name}: all ${this.timesteps.length} steps have been taken`);
    }
    return this.stepIndex;
  }

  /** √(σ²+1): the VE sample is divided by it to give the unit-variance input the UNet was trained on. */
  modelInputDivisor(timestep: number): number {
    const sigma = this.sigmas[this.ensureStepIndex(timestep)];
    return f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
  }

  // diffusers: before the first step img2img noises at begin_index; afterwards (inpainting)
  // at the current step; without a begin index, at each timestep's own index.
  protected sigmaIndicesFor(length: number, timesteps: number | readonly number[]): (i: number) => number {
    if (this.beginIndex === null) {
      const tOf = perItemTimesteps(length, timesteps);
      return (i) => this.indexFor(tOf(i));
    }
    const fixed = this.stepIndex ?? this.beginIndex;
    return () => fixed;
  }

  addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array {
    checkSameLength(original, noise, 'addNoise');
    const indexOf = this.sigmaIndicesFor(original.length, timesteps);
    return original.map((x, i) => x + f32(noise[i] * this.sigmas[indexOf(i)]));
  }
}
