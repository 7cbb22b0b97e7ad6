// Which timesteps an img2img run uses, as the diffusers pipeline for the model does
// (0.31). StableDiffusionImg2ImgPipeline.get_timesteps: with strength s the first
// n − ⌊n·s⌋ steps of the n-step schedule are skipped. LatentConsistencyModelImg2ImgPipeline
// (an LCM-distilled model under the LCM scheduler) instead has the scheduler shorten its
// distillation schedule to s of its length and runs all n steps. Either way the init
// latents are noised to the first timestep that runs.
import { LcmScheduler } from './lcm';
import type { Scheduler } from './types';

export interface Img2ImgTimesteps {
  /** Number of denoising steps that are run. */
  initTimestep: number;
  /** Index into the full schedule of the first step that is run. */
  tStart: number;
  /** The timesteps that are run. */
  timesteps: number[];
  /** Timestep the encoded image is noised to (timesteps[0]). */
  latentTimestep: number;
}

/** 'lcm': LatentConsistencyModelImg2ImgPipeline's rule; 'sd': StableDiffusionImg2ImgPipeline's. */
export type Img2ImgSchedule = 'sd' | 'lcm';

/** LCM's own rule applies to a guidance-distilled (LCM) UNet stepped by the LCM scheduler. */
export function img2imgSchedule(schedulerKind: string, guidanceDistilled: boolean): Img2ImgSchedule {
  return guidanceDistilled && schedulerKind === 'lcm' ? 'lcm' : 'sd';
}

/** ⌊n·strength⌋, capped at n: the steps of the n-step schedule StableDiffusionImg2ImgPipeline keeps. */
function keptSteps(numInferenceSteps: number, strength: number): number {
  return Math.min(Math.floor(numInferenceSteps * strength), numInferenceSteps);
}

/**
 * UNet evaluations an img2img run of `numInferenceSteps` at `strength` takes (progress and
 * ETA): PNDM's schedule lists one timestep twice, so it runs one more than the steps kept.
 */
export function img2imgStepCount(schedule: Img2ImgSchedule, numInferenceSteps: number, strength: number, schedulerKind?: string): number {
  if (schedule === 'lcm') return numInferenceSteps;
  const kept = keptSteps(numInferenceSteps, strength);
  return schedulerKind === 'pndm' && numInferenceSteps > 1 && kept > 0 ? kept + 1 : kept;
}

export function timestepsForStrength(scheduler: Scheduler, numInferenceSteps: number, strength: number, schedule: Img2ImgSchedule = 'sd'): Img2ImgTimesteps {
  if (!(strength >= 0 && strength <= 1)) throw new Error(`strength must be in [0, 1], got ${strength}`);
  if (schedule === 'lcm') {
    if (!(scheduler instanceof LcmScheduler)) throw new Error(`LCM img2img timesteps need the LCM scheduler, not ${scheduler.kind}`);
    scheduler.setTimesteps(numInferenceSteps, { strength });
    const timesteps = scheduler.timesteps.slice();
    return { initTimestep: timesteps.length, tStart: 0, timesteps, latentTimestep: timesteps[0] };
  }
  scheduler.setTimesteps(numInferenceSteps);
  const initTimestep = keptSteps(numInferenceSteps, strength);
  const tStart = Math.max(numInferenceSteps - initTimestep, 0);
  const timesteps = scheduler.timesteps.slice(tStart * scheduler.order);
  if (timesteps.length === 0) {
    throw new Error(`strength ${strength} with ${numInferenceSteps} steps runs no denoising step (⌊steps·strength⌋ = 0)`);
  }
  scheduler.setBeginIndex(tStart * scheduler.order);
  return { initTimestep, tStart, timesteps, latentTimestep: timesteps[0] };
}
