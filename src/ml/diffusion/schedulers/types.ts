import type { Rng } from '../../../core/random';
import type { SchedulerConfig, SchedulerKind } from './config';
import type { LinearStep } from './linear-step';

export interface StepOptions {
  /** Source of the noise some samplers add (Euler ancestral, LCM, DDIM with eta > 0). */
  rng?: Rng;
  /** DDIM only: 0 = deterministic DDIM, 1 = DDPM-like (Song et al. 2021, eq. 16). */
  eta?: number;
}

export interface StepResult {
  prevSample: Float32Array;
  /** The model's estimate of the clean sample x₀ (LCM: its boundary-condition "denoised"). */
  predOriginalSample: Float32Array;
}

/**
 * A diffusers-style scheduler over flat float32 arrays (any shape; batches share one
 * timestep unless stated). Like diffusers, Euler, DPM-Solver++ and LCM keep a step index
 * (and DPM a model-output history): call `setTimesteps` before each new trajectory.
 */
export interface Scheduler {
  readonly kind: SchedulerKind;
  /**
   * Whether each step can be written as a LinearStep (planStep), which the GPU loop needs;
   * false for PNDM, whose step mixes four past outputs: it steps on the CPU.
   */
  readonly plansSteps: boolean;
  readonly config: Readonly<SchedulerConfig>;
  readonly alphasCumprod: Float32Array;
  /** Model evaluations per entry of `timesteps` (1 for every scheduler here). */
  readonly order: number;
  /** Timesteps of the current schedule, highest first (fractional for Euler "linspace"). */
  readonly timesteps: readonly number[];
  /** Standard deviation of the initial noise for text-to-image from pure noise. */
  readonly initNoiseSigma: number;
  setTimesteps(numInferenceSteps: number): void;
  /** img2img: the schedule starts at `timesteps[beginIndex]` (diffusers set_begin_index). */
  setBeginIndex(beginIndex: number): void;
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /** scaleModelInput as one divisor, for callers that hold the sample elsewhere (GPU). */
  modelInputDivisor(timestep: number): number;
  /** One step on the CPU: planStep applied to the arrays (schedulers/linear-step.ts). */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options?: StepOptions): StepResult;
  /**
   * The step as affine coefficients, for a caller that applies it itself (on the GPU). It
   * advances the scheduler and draws noise exactly as step() does; use one or the other
   * per timestep. The caller keeps the previous denoised estimate (LinearStep.prev.history).
   */
  planStep(timestep: number, length: number, options?: StepOptions): LinearStep;
  /** Forward-diffuses clean samples to `timesteps` (one per batch item, or one for all). */
  addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array;
}

export function requireRng(rng: Rng | undefined, who: string): Rng {
  if (!rng) throw new Error(`${who} draws noise in step(): pass options.rng`);
  return rng;
}

export function checkSameLength(a: Float32Array, b: Float32Array, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
}

/** Timestep of each element when `timesteps` has one entry per batch item. */
export function perItemTimesteps(length: number, timesteps: number | readonly number[]): (i: number) => number {
  if (typeof timesteps === 'number') return () => timesteps;
  if (timesteps.length === 0 || length % timesteps.length !== 0) {
    throw new Error(`addNoise: ${timesteps.length} timesteps do not divide ${length} values`);
  }
  const perItem = length / timesteps.length;
  return (i) => timesteps[Math.floor(i / perItem)];
}
