// Scheduler settings as diffusers writes them in scheduler/scheduler_config.json. Defaults
// are diffusers 0.31's constructor defaults for each class, because a config file only
// lists what differs from the class it was saved with.

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

export type SchedulerKind = 'ddim' | 'euler-discrete' | 'euler-ancestral' | 'dpm-solver-multistep' | 'lcm' | 'pndm';

export interface SchedulerConfig {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas: number[] | null;
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  rescaleBetasZeroSnr: boolean;
  /** DDIM/LCM: use alpha_cumprod = 1 after the last step instead of alphas_cumprod[0]. */
  setAlphaToOne: boolean;
  clipSample: boolean;
  clipSampleRange: number;
  /** Euler/DPM: value of the sigma appended after the last step. */
  finalSigmasType: 'zero' | 'sigma_min';
  /** DPM-Solver++ only. */
  solverOrder: number;
  solverType: 'midpoint' | 'heun';
  lowerOrderFinal: boolean;
  eulerAtFinal: boolean;
  /** LCM only. */
  originalInferenceSteps: number;
  timestepScaling: number;
}

const CLASS_TO_KIND: Record<string, SchedulerKind> = {
  DDIMScheduler: 'ddim',
  EulerDiscreteScheduler: 'euler-discrete',
  EulerAncestralDiscreteScheduler: 'euler-ancestral',
  DPMSolverMultistepScheduler: 'dpm-solver-multistep',
  LCMScheduler: 'lcm',
  PNDMScheduler: 'pndm',
};

export function schedulerKindFromClassName(className: string): SchedulerKind {
  const kind = CLASS_TO_KIND[className];
  if (!kind) {
    throw new Error(
      `unsupported scheduler class ${className} (supported: ${Object.keys(CLASS_TO_KIND).join(', ')}): choose one of them for the run; it is built from this config's noise schedule`,
    );
  }
  return kind;
}

const BASE: SchedulerConfig = {
  numTrainTimesteps: 1000,
  betaStart: 0.0001,
  betaEnd: 0.02,
  betaSchedule: 'linear',
  trainedBetas: null,
  predictionType: 'epsilon',
  timestepSpacing: 'leading',
  stepsOffset: 0,
  rescaleBetasZeroSnr: false,
  setAlphaToOne: true,
  clipSample: true,
  clipSampleRange: 1,
  finalSigmasType: 'zero',
  solverOrder: 2,
  solverType: 'midpoint',
  lowerOrderFinal: true,
  eulerAtFinal: false,
  originalInferenceSteps: 50,
  timestepScaling: 10,
};

const CLASS_DEFAULTS: Record<SchedulerKind, Partial<SchedulerConfig>> = {
  ddim: {},
  'euler-discrete': { timestepSpacing: 'linspace' },
  'euler-ancestral': { timestepSpacing: 'linspace' },
  'dpm-solver-multistep': { timestepSpacing: 'linspace' },
  lcm: { betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear', clipSample: false },
  pndm: { setAlphaToOne: false },
};

// Settings that change the numbers and that these modules do not implement: refuse them
// rather than silently sample with a different algorithm.
const UNSUPPORTED: Record<string, (v: unknown) => boolean> = {
  thresholding: (v) => v === true,
  use_karras_sigmas: (v) => v === true,
  use_exponential_sigmas: (v) => v === true,
  use_beta_sigmas: (v) => v === true,
  use_lu_lambdas: (v) => v === true,
  interpolation_type: (v) => v !== undefined && v !== 'linear',
  timestep_type: (v) => v !== undefined && v !== 'discrete',
  algorithm_type: (v) => v !== undefined && v !== 'dpmsolver++',
  variance_type: (v) => v !== undefined && v !== null,
  final_sigmas_type: (v) => v !== undefined && v !== 'zero' && v !== 'sigma_min',
  lambda_min_clipped: (v) => v !== undefined && v !== null && v !== -Infinity && v !== '-inf',
  sigma_min: (v) => v !== undefined && v !== null,
  sigma_max: (v) => v !== undefined && v !== null,
};

function pick<T>(raw: Record<string, unknown>, key: string, fallback: T): T {
  const v = raw[key];
  return v === undefined || v === null ? fallback : (v as T);
}

/** Parses a diffusers scheduler_config.json object. */
export function parseSchedulerConfig(raw: Record<string, unknown>, kindOverride?: SchedulerKind): {
  kind: SchedulerKind;
  config: SchedulerConfig;
} {
  const kind = kindOverride ?? schedulerKindFromClassName(String(raw._class_name ?? ''));
  for (const [key, isUnsupported] of Object.entries(UNSUPPORTED)) {
    if (isUnsupported(raw[key])) throw new Error(`scheduler config ${key}=${JSON.stringify(raw[key])} is not supported`);
  }
  // PNDMScheduler defaults to Runge–Kutta warm-up steps; SD's configs skip them (PLMS only).
  if (kind === 'pndm' && raw.skip_prk_steps !== true) {
    throw new Error('PNDM without skip_prk_steps=true (Runge–Kutta warm-up steps) is not supported; SD-1.x configs set it');
  }
  if (kind === 'dpm-solver-multistep' && ![1, 2].includes(pick(raw, 'solver_order', 2))) {
    throw new Error(`DPM-Solver++ solver_order=${String(raw.solver_order)} is not supported (1 or 2)`);
  }
  const d = { ...BASE, ...CLASS_DEFAULTS[kind] };
  const config: SchedulerConfig = {
    numTrainTimesteps: pick(raw, 'num_train_timesteps', d.numTrainTimesteps),
    betaStart: pick(raw, 'beta_start', d.betaStart),
    betaEnd: pick(raw, 'beta_end', d.betaEnd),
    betaSchedule: pick(raw, 'beta_schedule', d.betaSchedule),
    trainedBetas: pick(raw, 'trained_betas', d.trainedBetas),
    predictionType: pick(raw, 'prediction_type', d.predictionType),
    timestepSpacing: pick(raw, 'timestep_spacing', d.timestepSpacing),
    stepsOffset: pick(raw, 'steps_offset', d.stepsOffset),
    rescaleBetasZeroSnr: pick(raw, 'rescale_betas_zero_snr', d.rescaleBetasZeroSnr),
    setAlphaToOne: pick(raw, 'set_alpha_to_one', d.setAlphaToOne),
    clipSample: pick(raw, 'clip_sample', d.clipSample),
    clipSampleRange: pick(raw, 'clip_sample_range', d.clipSampleRange),
    finalSigmasType: pick(raw, 'final_sigmas_type', d.finalSigmasType),
    solverOrder: pick(raw, 'solver_order', d.solverOrder),
    solverType: pick(raw, 'solver_type', d.solverType),
    lowerOrderFinal: pick(raw, 'lower_order_final', d.lowerOrderFinal),
    eulerAtFinal: pick(raw, 'euler_at_final', d.eulerAtFinal),
    originalInferenceSteps: pick(raw, 'original_inference_steps', d.originalInferenceSteps),
    timestepScaling: pick(raw, 'timestep_scaling', d.timestepScaling),
  };
  if (!['linear', 'scaled_linear', 'squaredcos_cap_v2'].includes(config.betaSchedule) && !config.trainedBetas) {
    throw new Error(`beta_schedule ${config.betaSchedule} is not supported`);
  }
  if (!['linspace', 'leading', 'trailing'].includes(config.timestepSpacing)) {
    throw new Error(`timestep_spacing ${config.timestepSpacing} is not supported`);
  }
  if (!['epsilon', 'v_prediction', 'sample'].includes(config.predictionType)) {
    throw new Error(`prediction_type ${config.predictionType} is not supported`);
  }
  return { kind, config };
}

/** A full config from a partial one, with the defaults of `kind` (for tests and code). */
export function schedulerConfig(kind: SchedulerKind, overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return { ...BASE, ...CLASS_DEFAULTS[kind], ...overrides };
}
