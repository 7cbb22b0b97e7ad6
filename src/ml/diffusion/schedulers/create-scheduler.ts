import { parseSchedulerConfig, type SchedulerConfig, type SchedulerKind } from './config';
import { DdimScheduler } from './ddim';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep';
import { EulerAncestralScheduler } from './euler-ancestral';
import { EulerDiscreteScheduler } from './euler-discrete';
import { LcmScheduler } from './lcm';
import { PndmScheduler } from './pndm';
import type { Scheduler } from './types';

export function createScheduler(kind: SchedulerKind, config: SchedulerConfig): Scheduler {
  switch (kind) {
    case 'ddim':
      return new DdimScheduler(config);
    case 'euler-discrete':
      return new EulerDiscreteScheduler(config);
    case 'euler-ancestral':
      return new EulerAncestralScheduler(config);
    case 'dpm-solver-multistep':
      return new DpmSolverMultistepScheduler(config);
    case 'lcm':
      return new LcmScheduler(config);
    case 'pndm':
      return new PndmScheduler(config);
  }
}

/**
 * A scheduler from a diffusers scheduler_config.json object. With `kind`, the config is
 * reinterpreted for another class as diffusers' `OtherScheduler.from_config(config)` does:
 * shared keys are kept, the rest take the other class's defaults.
 */
export function schedulerFromDiffusersConfig(raw: Record<string, unknown>, kind?: SchedulerKind): Scheduler {
  const parsed = parseSchedulerConfig(raw, kind);
  return createScheduler(parsed.kind, parsed.config);
}
