// Defaults of a synthesis run. The prompt wording follows the study (Rajaraman et al. 2024:
// "a pediatric chest x-ray showing <finding>"); img2img strength and steps are the usual
// SD-1.5 img2img values, tunable on the Synthesis page.
import type { Finding } from '../../../core/dataset/types';
import type { SchedulerKind } from '../schedulers';

export const SCHEDULER_KINDS: readonly SchedulerKind[] = ['ddim', 'euler-discrete', 'euler-ancestral', 'dpm-solver-multistep', 'lcm', 'pndm'];

/**
 * A run's scheduler setting: one of SCHEDULER_KINDS applied to the model's scheduler config
 * (diffusers from_config), or MODEL_SCHEDULER for the config's own class (LCM for an LCM
 * model, Euler-a "trailing" for SD-Turbo). Provenance records the class that ran.
 */
export const MODEL_SCHEDULER = 'model';
export type SchedulerChoice = SchedulerKind | typeof MODEL_SCHEDULER;

/** The class to force on the model's scheduler config; undefined keeps the config's own. */
export function schedulerOverride(choice: string): SchedulerKind | undefined {
  return choice === MODEL_SCHEDULER ? undefined : (choice as SchedulerKind);
}

export function defaultPrompt(finding: Finding): string {
  return `a pediatric chest x-ray showing ${finding.replace(/-/g, ' ')}`;
}

export const DEFAULT_NEGATIVE_PROMPT = 'text, watermark, letters, annotations, blurry, low quality, distorted anatomy';

export const DEFAULT_SYNTHESIS = {
  count: 16,
  strength: 0.6,
  steps: 30,
  guidance: 7.5,
  scheduler: 'ddim' as SchedulerChoice,
  seed: 1,
};

/** Problems with the numeric settings, in words; empty when they are usable. */
export function synthesisSettingsProblems(s: { count: number; strength: number; steps: number; guidance: number; scheduler: string; seed: number; prompt: string; size?: number }): string[] {
  const p: string[] = [];
  if (!Number.isInteger(s.count) || s.count < 1) p.push('the number of images must be a whole number ≥ 1');
  if (!(s.strength > 0 && s.strength <= 1)) p.push('strength must be in (0, 1]');
  if (!Number.isInteger(s.steps) || s.steps < 1 || s.steps > 1000) p.push('steps must be a whole number in 1..1000');
  if (!(s.guidance >= 0 && Number.isFinite(s.guidance))) p.push('guidance must be ≥ 0');
  if (s.scheduler !== MODEL_SCHEDULER && !(SCHEDULER_KINDS as readonly string[]).includes(s.scheduler)) p.push(`unknown scheduler "${s.scheduler}"`);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff) p.push('seed must be a whole number in 0..4294967295');
  if (!s.prompt.trim()) p.push('the prompt is empty');
  // Every SD-family pipeline needs a multiple of 8 (the VAE factor); the loaded model checks its own multiple.
  if (s.size !== undefined && !(Number.isInteger(s.size) && s.size >= 8 && s.size <= 2048 && s.size % 8 === 0)) p.push('the size must be a multiple of 8 in 8..2048 px');
  // img2img runs floor(steps × strength) denoising steps; zero would return the source unchanged.
  if (Math.floor(s.steps * s.strength) < 1) p.push('steps × strength must be ≥ 1 (otherwise nothing is denoised)');
  return p;
}
