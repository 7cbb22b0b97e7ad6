// What every scheduler here shares once its step is a LinearStep: the CPU step applies the
// plan and keeps the denoised estimate that multistep solvers read back on the next step.
import { applyLinearStep, type LinearStep } from './linear-step';
import { checkSameLength, type StepOptions, type StepResult } from './types';

export abstract class PlannedScheduler {
  readonly plansSteps = true;
  private lastDenoised: Float32Array | null = null;

  /**
   * The step at `timestep` for `length` latent values, drawing its noise; advances the
   * scheduler exactly as step() does (call one or the other per timestep).
   */
  abstract planStep(timestep: number, length: number, options?: StepOptions): LinearStep;

  /** The UNet input is the sample divided by this (1 for VP schedulers, √(σ²+1) for Euler). */
  abstract modelInputDivisor(timestep: number): number;

  protected resetHistory(): void {
    this.lastDenoised = null;
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    const d = this.modelInputDivisor(timestep);
    return d === 1 ? sample : sample.map((x) => x / d);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): StepResult {
    checkSameLength(modelOutput, sample, `${this.constructor.name} step`);
    const plan = this.planStep(timestep, sample.length, options);
    const result = applyLinearStep(plan, modelOutput, sample, this.lastDenoised);
    this.lastDenoised = result.predOriginalSample;
    return result;
  }
}
