// DPM-Solver++ (Lu et al. 2022, "DPM-Solver++", Alg. 2: multistep 2M) in data prediction
// form, following diffusers 0.31 DPMSolverMultistepScheduler with algorithm_type
// "dpmsolver++", solver_order ≤ 2, no Karras σ, no thresholding.
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { dpmTimesteps } from './inference-timesteps';
import { predictX0AndEps } from './prediction';
import { SigmaSchedulerBase } from './sigma-scheduler-base';
import { alphaSigmaFromSigma, indexForTimestep, inferenceSigmas } from './sigmas';
import { checkSameLength, type Scheduler, type StepResult } from './types';

function lambdaOf(sigma: number): { alphaT: number; sigmaT: number; lambda: number } {
  const { alphaT, sigmaT } = alphaSigmaFromSigma(sigma);
  // λ = log(α/σ): +∞ at the final σ = 0, which makes the last update return x̂₀ exactly.
  return { alphaT, sigmaT, lambda: f32(Math.log(alphaT) - Math.log(sigmaT)) };
}

export class DpmSolverMultistepScheduler extends SigmaSchedulerBase implements Scheduler {
  readonly kind = 'dpm-solver-multistep' as const;
  readonly initNoiseSigma = 1;
  private previousX0: Float32Array | null = null;
  private lowerOrderNums = 0;

  constructor(config: Readonly<SchedulerConfig>) {
    super(config);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = dpmTimesteps(numInferenceSteps, this.config);
    this.sigmas = inferenceSigmas(this.timesteps, this.alphasCumprod, this.config.finalSigmasType);
    this.previousX0 = null;
    this.lowerOrderNums = 0;
    this.resetState();
  }

  protected override indexFor(t: number): number {
    return indexForTimestep(this.timesteps, t, this.timesteps.length - 1);
  }

  // The sample is VP-scaled here (x = α·x₀ + σ·ε), unlike Euler's VE sample.
  override scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  override addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array {
    checkSameLength(original, noise, 'DPM-Solver++ addNoise');
    const indexOf = this.sigmaIndicesFor(original.length, timesteps);
    return original.map((x, i) => {
      const { alphaT, sigmaT } = alphaSigmaFromSigma(this.sigmas[indexOf(i)]);
      return f32(alphaT * x) + f32(sigmaT * noise[i]);
    });
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    checkSameLength(modelOutput, sample, 'DPM-Solver++ step');
    const index = this.ensureStepIndex(timestep);
    const n = this.timesteps.length;
    const { solverOrder, lowerOrderFinal, eulerAtFinal, finalSigmasType } = this.config;
    const firstOrderFinal =
      index === n - 1 && (eulerAtFinal || (lowerOrderFinal && n < 15) || finalSigmasType === 'zero');

    const s0 = lambdaOf(this.sigmas[index]);
    const t = lambdaOf(this.sigmas[index + 1]);
    const x0 = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      x0[i] = predictX0AndEps(this.config.predictionType, modelOutput[i], sample[i], s0.alphaT, s0.sigmaT)[0];
    }

    const h = f32(t.lambda - s0.lambda);
    const ratio = f32(t.sigmaT / s0.sigmaT);
    const expTerm = f32(t.alphaT * f32(Math.exp(-h) - 1)); // α_t(e^{−h} − 1)
    const prevSample = new Float32Array(sample.length);
    const useSecondOrder = solverOrder === 2 && this.lowerOrderNums >= 1 && !firstOrderFinal && this.previousX0;
    if (useSecondOrder && this.previousX0) {
      // Multistep 2M: D1 = (m0 − m1)/r0 with r0 = h_{i−1}/h_i.
      const s1 = lambdaOf(this.sigmas[index - 1]);
      const r0 = f32(f32(s0.lambda - s1.lambda) / h);
      const m1 = this.previousX0;
      const heun = this.config.solverType === 'heun';
      const heunCoeff = f32(t.alphaT * f32(f32(f32(Math.exp(-h) - 1) / h) + 1));
      for (let i = 0; i < sample.length; i++) {
        const d1 = f32(f32(1 / r0) * f32(x0[i] - m1[i]));
        const base = f32(f32(ratio * sample[i]) - f32(expTerm * x0[i]));
        prevSample[i] = heun ? base + f32(heunCoeff * d1) : base - f32(f32(0.5 * expTerm) * d1);
      }
    } else {
      for (let i = 0; i < sample.length; i++) prevSample[i] = f32(ratio * sample[i]) - f32(expTerm * x0[i]);
    }
    this.previousX0 = x0;
    if (this.lowerOrderNums < solverOrder) this.lowerOrderNums++;
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: x0 };
  }
}
