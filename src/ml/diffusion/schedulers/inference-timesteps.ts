// How diffusers spaces the inference timesteps over the training steps ("timestep_spacing",
// Lin et al. 2023, Table 2). Each scheduler class has its own variant; they are kept
// side by side here so the differences are visible.
import type { SchedulerConfig } from './config';
import { linspace, roundHalfEven } from './float32';

function checkSteps(n: number, config: SchedulerConfig): void {
  if (!Number.isInteger(n) || n < 1 || n > config.numTrainTimesteps) {
    throw new Error(`numInferenceSteps must be an integer in [1, ${config.numTrainTimesteps}], got ${n}`);
  }
}

/** DDIMScheduler.set_timesteps (int64). */
export function ddimTimesteps(n: number, config: SchedulerConfig): number[] {
  checkSteps(n, config);
  const T = config.numTrainTimesteps;
  switch (config.timestepSpacing) {
    case 'linspace':
      return linspace(0, T - 1, n).map(roundHalfEven).reverse();
    case 'leading': {
      const ratio = Math.floor(T / n);
      return Array.from({ length: n }, (_, i) => i * ratio + config.stepsOffset).reverse();
    }
    case 'trailing':
      return trailing(T, T / n);
  }
}

/** EulerDiscreteScheduler / EulerAncestralDiscreteScheduler.set_timesteps (float32). */
export function eulerTimesteps(n: number, config: SchedulerConfig): number[] {
  checkSteps(n, config);
  const T = config.numTrainTimesteps;
  switch (config.timestepSpacing) {
    case 'linspace':
      return linspace(0, T - 1, n).map(Math.fround).reverse();
    case 'leading': {
      const ratio = Math.floor(T / n);
      return Array.from({ length: n }, (_, i) => i * ratio + config.stepsOffset).reverse();
    }
    case 'trailing':
      return trailing(T, T / n);
  }
}

/** DPMSolverMultistepScheduler.set_timesteps: n+1 points, the last dropped (int64). */
export function dpmTimesteps(n: number, config: SchedulerConfig): number[] {
  checkSteps(n, config);
  const T = config.numTrainTimesteps; // lambda_min_clipped = -inf: the last timestep is T
  switch (config.timestepSpacing) {
    case 'linspace':
      return linspace(0, T - 1, n + 1).map(roundHalfEven).reverse().slice(0, n);
    case 'leading': {
      const ratio = Math.floor(T / (n + 1));
      return Array.from({ length: n + 1 }, (_, i) => i * ratio).reverse().slice(0, n).map((t) => t + config.stepsOffset);
    }
    case 'trailing':
      return trailing(T, T / n);
  }
}

// np.round(np.arange(T, 0, -ratio)) - 1
function trailing(T: number, ratio: number): number[] {
  const count = Math.ceil(T / ratio);
  return Array.from({ length: count }, (_, i) => roundHalfEven(T - i * ratio) - 1);
}
