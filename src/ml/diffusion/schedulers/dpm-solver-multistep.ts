// DPM-Solver++ (Lu et al. 2022, "DPM-Solver++", Alg. 2: multistep 2M) in data prediction
// form, following diffusers 0.31 DPMSolverMultistepScheduler with algorithm_type
// "dpmsolver++", solver_order ≤ 2, no Karras σ, no thresholding.
import type { SchedulerConfig } from './config';
import { f32 } from './float32';
import { dpmTimesteps } from './inference-timesteps';
import { NO_EPS, vpPrediction, type LinearStep } from './linear-step';
import { SigmaSchedulerBase } from './sigma-scheduler-base';
import { alphaSigmaFromSigma, indexForTimestep, inferenceSigmas } from './sigmas';
import { checkSameLength, type Scheduler } from './types';

function lambdaOf(sigma: number): { alphaT: number; sigmaT: number; lambda: number } {
  const { alphaT, sigmaT } = alphaSigmaFromSigma(sigma);
  // λ = log(α/σ): +∞ at the final σ = 0, which makes the last update return x̂₀ exactly.
  return { alphaT, sigmaT, lambda: f32(Math.log(alphaT) - Math.log(sigmaT)) };
}

export class DpmSolverMultistepScheduler extends SigmaSchedulerBase implements Scheduler {
  readonly kind = 'dpm-solver-multistep' as const;
  readonly initNoiseSigma = 1;
  private lowerOrderNums = 0;

  constructor(config: Readonly<SchedulerConfig>) {
    super(config);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = dpmTimesteps(numInferenceSteps, this.config);
    this.sigmas = inferenceSigmas(this.timesteps, this.alphasCumprod, this.config.finalSigmasType);
    this.lowerOrderNums = 0;
    this.resetState();
  }

  protected override indexFor(t: number): number {
    return indexForTimestep(this.timesteps, t, this.timesteps.length - 1);
  }

  // The sample is VP-scaled here (x = α·x₀ + σ·ε), unlike Euler's VE sample.
  override modelInputDivisor(): number {
    return 1;
  }

  override addNoise(original: Float32Array, noise: Float32Array, timesteps: number | readonly number[]): Float32Array {
    checkSameLength(original, noise, 'DPM-Solver++ addNoise');
    const indexOf = this.sigmaIndicesFor(original.length, timesteps);
    return original.map((x, i) => {
      const { alphaT, sigmaT } = alphaSigmaFromSigma(this.sigmas[indexOf(i)]);
      return f32(alphaT * x) + f32(sigmaT * noise[i]);
    });
  }

  planStep(timestep: number): LinearStep {
    const index = this.ensureStepIndex(timestep);
    const n = this.timesteps.length;
    const { solverOrder, lowerOrderFinal, eulerAtFinal, finalSigmasType } = this.config;
    const firstOrderFinal =
      index === n - 1 && (eulerAtFinal || (lowerOrderFinal && n < 15) || finalSigmasType === 'zero');

    const s0 = lambdaOf(this.sigmas[index]);
    const t = lambdaOf(this.sigmas[index + 1]);
    const h = f32(t.lambda - s0.lambda);
    const ratio = f32(t.sigmaT / s0.sigmaT);
    const expTerm = f32(t.alphaT * f32(Math.exp(-h) - 1)); // α_t(e^{−h} − 1)
    // First order: x_t = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·x̂₀ (DDIM in λ).
    let onX0 = -expTerm;
    let onHistory = 0;
    if (solverOrder === 2 && this.lowerOrderNums >= 1 && !firstOrderFinal) {
      // Multistep 2M: D1 = (m0 − m1)/r0 with r0 = h_{i−1}/h_i, m1 the previous x̂₀.
      const s1 = lambdaOf(this.sigmas[index - 1]);
      const r0 = f32(f32(s0.lambda - s1.lambda) / h);
      const onD1 =
        this.config.solverType === 'heun'
          ? f32(t.alphaT * f32(f32(f32(Math.exp(-h) - 1) / h) + 1))
          : -f32(0.5 * expTerm);
      onX0 += onD1 / r0;
      onHistory = -onD1 / r0;
    }
    if (this.lowerOrderNums < solverOrder) this.lowerOrderNums++;
    this.stepIndex = index + 1;
    return {
      x0: vpPrediction(this.config.predictionType, s0.alphaT, s0.sigmaT).x0,
      eps: NO_EPS,
      denoised: { sample: 0, x0: 1 },
      prev: { sample: ratio, denoised: onX0, eps: 0, history: onHistory, noise: 0 },
    };
  }
}
