// StableDiffusionImg2ImgPipeline.get_timesteps (diffusers 0.31): with strength s the first
// n − ⌊n·s⌋ steps of the n-step schedule are skipped, and the init latents are noised to
// the first remaining timestep.
import type { Scheduler } from './types';

export interface Img2ImgTimesteps {
  /** ⌊n·strength⌋, capped at n: number of denoising steps that are run. */
  initTimestep: number;
  /** Index into the full schedule of the first step that is run. */
  tStart: number;
  /** The timesteps that are run. */
  timesteps: number[];
  /** Timestep the encoded image is noised to (timesteps[0]). */
  latentTimestep: number;
}

export function timestepsForStrength(scheduler: Scheduler, numInferenceSteps: number, strength: number): Img2ImgTimesteps {
  if (!(strength >= 0 && strength <= 1)) throw new Error(`strength must be in [0, 1], got ${strength}`);
  scheduler.setTimesteps(numInferenceSteps);
  const initTimestep = Math.min(Math.floor(numInferenceSteps * strength), numInferenceSteps);
  const tStart = Math.max(numInferenceSteps - initTimestep, 0);
  const timesteps = scheduler.timesteps.slice(tStart * scheduler.order);
  if (timesteps.length === 0) {
    throw new Error(`strength ${strength} with ${numInferenceSteps} steps runs no denoising step (⌊steps·strength⌋ = 0)`);
  }
  scheduler.setBeginIndex(tStart * scheduler.order);
  return { initTimestep, tStart, timesteps, latentTimestep: timesteps[0] };
}
