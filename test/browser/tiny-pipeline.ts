// The tiny SD-1.x fixture pipeline laid out as a diffusers ONNX folder (its BPE files live in
// tokenizer-clip/), for tests that import it as a user's local folder.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, sharedRoot } from './fixtures';

/** [path in the pipeline folder, path under ../shared] */
export const TINY_PIPELINE: [string, string][] = [
  ['model_index.json', 'fixtures/diffusion-tiny/model_index.json'],
  ['scheduler/scheduler_config.json', 'fixtures/diffusion-tiny/scheduler/scheduler_config.json'],
  ['text_encoder/model.onnx', 'fixtures/diffusion-tiny/text_encoder/model.onnx'],
  ['tokenizer/tokenizer_config.json', 'fixtures/diffusion-tiny/tokenizer/tokenizer_config.json'],
  ['tokenizer/vocab.json', 'fixtures/tokenizer-clip/vocab.json'],
  ['tokenizer/merges.txt', 'fixtures/tokenizer-clip/merges.txt'],
  ['unet/model.onnx', 'fixtures/diffusion-tiny/unet/model.onnx'],
  ['vae_encoder/model.onnx', 'fixtures/diffusion-tiny/vae_encoder/model.onnx'],
  ['vae_decoder/model.onnx', 'fixtures/diffusion-tiny/vae_decoder/model.onnx'],
];

/** The component configs an optimum export also carries (the tiny VAE's scale factor is 2, not SD's 8). */
export const TINY_PIPELINE_CONFIGS: [string, string][] = [
  ['vae_decoder/config.json', 'fixtures/diffusion-tiny/vae/config.json'],
  ['unet/config.json', 'fixtures/diffusion-tiny/unet/config.json'],
  ['text_encoder/config.json', 'fixtures/diffusion-tiny/text_encoder/config.json'],
];

/** Copies `layout` into a fresh temporary `tiny-sd/` folder and returns its path. */
export function tinyPipelineFolder(layout: [string, string][], prefix = 'cxr-model-'): string {
  const root = join(mkdtempSync(join(tmpdir(), prefix)), 'tiny-sd');
  for (const [dest, rel] of layout) {
    mkdirSync(dirname(join(root, dest)), { recursive: true });
    copyFileSync(resolve(sharedRoot, rel), join(root, dest));
  }
  return root;
}

/**
 * Imports the tiny pipeline with its component configs as a local folder on the Models page;
 * returns the ready model's id. `replace` swaps files (path in the folder → bytes) first.
 */
export async function importTinyPipeline(page: Page, name: string, prefix: string, replace: Record<string, Uint8Array> = {}): Promise<string> {
  await page.goto('/#/models');
  await page.getByTestId('import-name').fill(name);
  const layout = [...TINY_PIPELINE_CONFIGS, ...TINY_PIPELINE];
  const folder = tinyPipelineFolder(layout, prefix);
  for (const [path, bytes] of Object.entries(replace)) writeFileSync(join(folder, path), bytes);
  await page.getByTestId('import-folder').setInputFiles(folder);
  await expect(page.getByTestId('import-result')).toContainText(`Imported ${layout.length} files`, { timeout: 60_000 });
  const local = page.getByTestId('local-model');
  await expect(local).toHaveAttribute('data-status', 'ready');
  return (await local.getAttribute('data-model-id'))!;
}
