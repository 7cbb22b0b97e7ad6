// Synthesis page tests' setup and storage readers: a demo dataset (as the Data page's demo
// button makes it), the tiny SD-1.x pipeline imported as a local folder on the Models page,
// the page's settings, and the stored runs read through the harness page.
import type { Page } from '@playwright/test';
import { expect, harnessFor } from './fixtures';
import { importTinyPipeline } from './tiny-pipeline';
import type { SynthesisRunRecord } from '../../src/storage/synthetic-repo';

export interface Setup {
  h: Page;
  datasetId: string;
  taskId: string;
  modelId: string;
}

/** Demo dataset (harness, as the Data page's demo button does) and the tiny pipeline (some files replaced) imported on the Models page. */
export async function setup(page: Page, replace?: Record<string, Uint8Array>): Promise<Setup> {
  const h = await harnessFor(page);
  const ds = await h.evaluate(async () => {
    const r = await window.harness.startDemoDataset({ count: 16, size: 64, classRatio: 0.5, seed: 3, name: 'synthesis-page' }).result;
    const d = (await window.harness.datasetRepo.getDataset(r.datasetId))!;
    return { datasetId: d.id, taskId: d.tasks.find((t) => t.positiveFinding === 'pneumonia')!.id };
  });
  return { h, ...ds, modelId: await importTinyPipeline(page, 'tiny', 'cxr-synpage-', replace) };
}

/** Opens the Synthesis page on the setup's model, dataset and task. */
export async function openSynthesis(page: Page, s: Setup) {
  await page.goto('/#/synthesis');
  const settings = page.getByTestId('synthesis-settings');
  await settings.getByLabel('Model').selectOption(s.modelId);
  await settings.getByLabel('Dataset').selectOption(s.datasetId);
  await settings.getByLabel('Task').selectOption(s.taskId);
  return settings;
}

export async function configure(page: Page, o: { count: number; steps: number; strength: number; provider: 'auto' | 'webgpu' | 'wasm'; seed?: number; guidance?: number }) {
  const settings = page.getByTestId('synthesis-settings');
  if (o.seed !== undefined) await settings.getByLabel('Seed').fill(String(o.seed));
  if (o.guidance !== undefined) await settings.getByLabel('Guidance').fill(String(o.guidance));
  await settings.getByLabel('Images (N normal training sources)').fill(String(o.count));
  await settings.getByLabel('Steps').fill(String(o.steps));
  await settings.getByLabel('Strength').fill(String(o.strength));
  await settings.getByLabel('Execution provider').selectOption(o.provider);
}

export async function storedRuns(s: Setup): Promise<{ run: SynthesisRunRecord; backends: string[][]; reviews: string[]; generatedAt: Record<string, number>; generateMs: number[] }[]> {
  return s.h.evaluate(async ([d, t]) => {
    const repo = window.harness.syntheticRepo;
    const out = [];
    for (const run of await repo.listSynthesisRuns(d, t)) {
      const imgs = await repo.syntheticImagesOfRun(run);
      out.push({
        run,
        backends: imgs.map((i) => i.provenance.params.backend),
        reviews: imgs.map((i) => i.review.status),
        generatedAt: Object.fromEntries(imgs.map((i) => [i.id, i.provenance.params.generatedAt])),
        generateMs: imgs.map((i) => i.provenance.params.generateMs),
      });
    }
    return out;
  }, [s.datasetId, s.taskId] as const);
}

export const storedJob = (s: Setup, id: string) => s.h.evaluate((jobId) => window.harness.stores.jobs.get(jobId), id);

/** Waits for the newest run's row to reach one of `ends` and says how it ended (with its text on failure). */
export async function finished(page: Page, { timeout = 180_000, ends = /^(completed|failed|cancelled)$/ } = {}) {
  const row = page.getByTestId('synthesis-run').first();
  await expect(row).toHaveAttribute('data-status', ends, { timeout });
  return { status: await row.getAttribute('data-status'), text: (await row.textContent()) ?? '' };
}
