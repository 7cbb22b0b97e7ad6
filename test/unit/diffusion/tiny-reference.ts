// diffusers' reference img2img run on the tiny pipeline (diffusion-tiny/img2img/reference.json)
// and the pipeline folder as Node tests read it. Used by the unit and browser suites.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TINY, TOKENIZER_DIR, readJson } from './fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const TINY_IMG2IMG_REF = readJson<any>(resolve(TINY, 'img2img/reference.json'));

/** The reference run's prompt, strength, steps, guidance and η. */
export function referenceGenerationParams() {
  const ref = TINY_IMG2IMG_REF;
  return {
    prompt: ref.prompt as string,
    negativePrompt: ref.negative_prompt as string,
    strength: ref.strength as number,
    numInferenceSteps: ref.num_inference_steps as number,
    guidanceScale: ref.guidance_scale as number,
    eta: ref.eta as number,
  };
}

/** A file of the tiny pipeline folder; its vocab/merges live in tokenizer-clip/, not tokenizer/. */
export async function readTinyPipelineText(path: string): Promise<string | undefined> {
  const redirected = path.startsWith('tokenizer/') && !path.endsWith('config.json') ? resolve(TOKENIZER_DIR, path.slice(10)) : resolve(TINY, path);
  return existsSync(redirected) ? readFileSync(redirected, 'utf8') : undefined;
}
