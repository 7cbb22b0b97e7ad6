// The Synthesis page's run controls as a user clicks them, each test on a small demo dataset
// and the tiny SD-1.x fixture pipeline imported as a local folder (64 px images, 1–4 UNet
// steps): the per-run execution provider (wasm and WebGPU runs; synthesis-no-webgpu.spec.ts
// has the browser without an adapter), cancel from the job panel and resume after a reload,
// and bulk review. Every check that matters reads the stored records through the
// harness page, not the page's text.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, sharedRoot } from './fixtures';
import { configure, finished, openSynthesis, setup, storedJob, storedRuns } from './synthesis-setup';
import { deriveSeed } from '../../src/core/random';
import { guidanceDistilledUnetModel } from '../unit/diffusion/onnx-test-models';

test('Synthesis page: the run\'s execution provider is chosen per run and is what the stored provenance records (wasm, then WebGPU on SwiftShader)', async ({ page }) => {
  test.setTimeout(300_000);
  const t0 = Date.now();
  const s = await setup(page);
  const tSetup = Date.now();
  const settings = await openSynthesis(page, s);
  const plan = page.getByTestId('synthesis-provider-plan');
  // Default: the Settings preference (automatic); on SwiftShader the policy picks wasm and says why.
  await expect(settings.getByLabel('Execution provider')).toHaveValue('auto');
  await expect(plan).toContainText('runs on wasm (webgpu if it fails): the WebGPU adapter is a software renderer (swiftshader)', { timeout: 120_000 });

  // wasm, chosen explicitly: 1 image, 1 UNet step.
  await configure(page, { count: 1, steps: 2, strength: 0.5, provider: 'wasm' });
  await expect(plan).toHaveText('Execution provider: runs on wasm: wasm chosen for this run');
  await page.getByTestId('synthesis-start').click();
  const wasmEnd = await finished(page);
  expect(wasmEnd.status, wasmEnd.text).toBe('completed');
  await expect(page.getByTestId('synthesis-run-provider').first()).toHaveText('wasm → wasm');
  const tWasm = Date.now();

  // WebGPU: on SwiftShader's adapter (slow, so again 1 image, 1 step). Another seed: with the
  // same one both providers give the same 8-bit pixels, i.e. the same content-addressed image.
  await configure(page, { count: 1, steps: 2, strength: 0.5, provider: 'webgpu', seed: 2, guidance: 1 });
  await expect(plan).toContainText('runs on webgpu: webgpu chosen for this run; the WebGPU adapter is a software renderer (swiftshader)');
  await page.getByTestId('synthesis-start').click();
  await expect(page.getByTestId('synthesis-run')).toHaveCount(2);
  const gpuEnd = await finished(page, { timeout: 240_000 });
  expect(gpuEnd.status, gpuEnd.text).toBe('completed');
  await expect(page.getByTestId('synthesis-run-provider').first()).toHaveText('webgpu → webgpu (denoising loop on the GPU)');
  const tGpu = Date.now();

  const [gpuRun, wasmRun] = await storedRuns(s);
  expect(wasmRun.run.settings.provider).toBe('wasm');
  expect(wasmRun.run.pipeline?.providers).toEqual(['wasm']);
  expect(wasmRun.backends).toEqual([['wasm']]);
  expect(gpuRun.run.settings.provider).toBe('webgpu');
  expect(gpuRun.run.pipeline?.providers).toEqual(['webgpu']);
  expect(gpuRun.backends).toEqual([['webgpu']]);
  expect(gpuRun.run.outputs[0]).not.toBe(wasmRun.run.outputs[0]);
  // The job records keep the choice in their params too (what the job panel resumes from).
  expect(((await storedJob(s, wasmRun.run.jobIds[0]))?.params as { provider?: string }).provider).toBe('wasm');
  expect(((await storedJob(s, gpuRun.run.jobIds[0]))?.params as { provider?: string }).provider).toBe('webgpu');
  console.log(JSON.stringify({ seconds: { setup: (tSetup - t0) / 1000, wasmRun: (tWasm - tSetup) / 1000, webgpuRun: (tGpu - tWasm) / 1000 }, generateMs: { wasm: wasmRun.generateMs, webgpu: gpuRun.generateMs } }));
});

test('Synthesis page: cancel from the job panel, reload, resume finishes the remaining images on the stored provider without redoing finished ones', async ({ page }) => {
  test.setTimeout(300_000);
  const t0 = Date.now();
  const s = await setup(page);
  await openSynthesis(page, s);
  const count = 4;
  // Enough UNet steps per image that the run is still going when the first image is stored.
  await configure(page, { count, steps: 12, strength: 1, provider: 'wasm' });
  await page.getByTestId('synthesis-start').click();
  const job = page.getByTestId('job-panel').locator('[data-testid="job"][data-kind="synthesis"]');
  await expect(job).toHaveAttribute('data-status', 'running');
  await expect.poll(async () => (await storedRuns(s))[0]?.run.outputs.filter((x) => x !== null).length ?? 0, { timeout: 120_000, intervals: [100] }).toBeGreaterThanOrEqual(1);
  await job.getByRole('button', { name: 'Cancel' }).click();
  await expect(job).toHaveAttribute('data-status', 'cancelled');
  const tCancel = Date.now();

  const [before] = await storedRuns(s);
  expect(before.run.status).toBe('cancelled');
  const done = before.run.outputs.filter((x) => x !== null).length;
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(count);
  expect(before.run.jobIds).toHaveLength(1);
  expect((await storedJob(s, before.run.jobIds[0]))?.status).toBe('cancelled');

  // A reload: the page shows the cancelled run with what is left, and resumes it.
  await page.reload();
  await openSynthesis(page, s);
  const row = page.getByTestId('synthesis-run').first();
  await expect(row).toHaveAttribute('data-status', 'cancelled');
  await expect(row).toContainText(`${done} / ${count}`);
  // The settings form now says automatic; the resumed run keeps its own provider.
  await expect(page.getByTestId('synthesis-settings').getByLabel('Execution provider')).toHaveValue('auto');
  await expect(row.getByTestId('synthesis-resume')).toHaveText(`Resume (${count - done} left)`);
  await row.getByTestId('synthesis-resume').click();
  // (the row still says 'cancelled' until the resumed job writes the run)
  const end = await finished(page, { ends: /^(completed|failed)$/ });
  expect(end.status, end.text).toBe('completed');
  await expect(row).toContainText(`${count} / ${count}`);
  const tResume = Date.now();

  const [after] = await storedRuns(s);
  expect(after.run.id).toBe(before.run.id);
  expect(after.run.status).toBe('completed');
  expect(after.run.outputs.every((x) => x !== null)).toBe(true);
  // Finished images are the same records (same id, same generation time): not redone.
  expect(after.run.outputs.slice(0, done)).toEqual(before.run.outputs.slice(0, done));
  for (const [id, at] of Object.entries(before.generatedAt)) expect(after.generatedAt[id]).toBe(at);
  const fresh = after.run.outputs.slice(done) as string[];
  for (const id of fresh) expect(after.generatedAt[id]).toBeGreaterThanOrEqual(tCancel);
  expect(new Set(after.run.outputs).size).toBe(count);
  // One resume job, linked to the cancelled one, on the run's stored provider.
  expect(after.run.jobIds).toHaveLength(2);
  expect(after.run.jobIds[0]).toBe(before.run.jobIds[0]);
  const resumeJob = await storedJob(s, after.run.jobIds[1]);
  expect(resumeJob).toMatchObject({ status: 'succeeded', resumedFrom: before.run.jobIds[0], params: { resume: true, provider: 'wasm', runId: before.run.id } });
  expect(after.run.settings.provider).toBe('wasm');
  expect(after.backends).toEqual(Array(count).fill(['wasm']));
  const records = await s.h.evaluate((ids) => window.harness.stores.images.getMany(ids), after.run.outputs as string[]);
  expect(records.map((r) => (r as { provenance: { seed: number } }).provenance.seed)).toEqual(after.run.outputs.map((_, i) => deriveSeed(after.run.settings.seed, i)));
  console.log(JSON.stringify({ seconds: { untilCancel: (tCancel - t0) / 1000, reloadAndResume: (tResume - tCancel) / 1000 }, doneBeforeCancel: done }));
});

test('Synthesis page: bulk review accepts, then rejects, every image of the page in storage', async ({ page }) => {
  test.setTimeout(240_000);
  const s = await setup(page);
  await openSynthesis(page, s);
  const count = 3;
  await configure(page, { count, steps: 2, strength: 0.5, provider: 'wasm' });
  await page.getByTestId('synthesis-start').click();
  const end = await finished(page);
  expect(end.status, end.text).toBe('completed');
  const items = page.getByTestId('review-item');
  await expect(items).toHaveCount(count);
  expect((await storedRuns(s))[0].reviews).toEqual(Array(count).fill('pending'));

  await page.getByTestId('review-select-page').click();
  await page.getByTestId('review-accept-selected').click();
  await expect(page.getByTestId('review-counts')).toHaveText(`0 pending · ${count} accepted · 0 rejected`);
  expect((await storedRuns(s))[0].reviews).toEqual(Array(count).fill('accepted'));
  const accepted = await s.h.evaluate(([d, t]) => window.harness.syntheticRepo.acceptedSyntheticImages(d, t).then((r) => r.length), [s.datasetId, s.taskId] as const);
  expect(accepted).toBe(count);
  // The selection is cleared after a bulk action: nothing is selected until the page is selected again.
  await expect(page.getByTestId('review-reject-selected')).toBeDisabled();

  await page.getByTestId('review-select-page').click();
  await page.getByTestId('review-reject-selected').click();
  await expect(page.getByTestId('review-counts')).toHaveText(`0 pending · 0 accepted · ${count} rejected`);
  expect((await storedRuns(s))[0].reviews).toEqual(Array(count).fill('rejected'));
  await expect(page.locator('[data-testid="review-item"][data-status="rejected"]')).toHaveCount(count);
  const none = await s.h.evaluate(([d, t]) => window.harness.syntheticRepo.acceptedSyntheticImages(d, t).then((r) => r.length), [s.datasetId, s.taskId] as const);
  expect(none).toBe(0);

  // The same settings again make the same pixels: those are the stored images, and the
  // review given to them (and their first provenance) is kept, not reset to pending.
  const first = (await storedRuns(s))[0].run;
  await page.getByTestId('synthesis-start').click();
  await expect(page.getByTestId('synthesis-run')).toHaveCount(2);
  const again = await finished(page);
  expect(again.status, again.text).toBe('completed');
  const runs = await storedRuns(s);
  const second = runs.find((r) => r.run.id !== first.id)!;
  expect(second.run.outputs).toEqual(first.outputs);
  expect(second.reviews).toEqual(Array(count).fill('rejected'));
  const runIds = await s.h.evaluate((ids) => Promise.all(ids.map((id) => window.harness.stores.images.get(id).then((r) => (r as { provenance: { params: { runId: string } } }).provenance.params.runId))), second.run.outputs as string[]);
  expect(runIds).toEqual(Array(count).fill(first.id));
});

test('Synthesis page: a guidance-distilled (LCM) export imported as a folder synthesizes without CFG at the chosen size, and the run says so', async ({ page }) => {
  test.setTimeout(420_000);
  // The tiny pipeline with an LCM-like UNet (optimum's IO names plus timestep_cond [batch, 8])
  // and an LCMScheduler config, as an LCM export ships; the run keeps "the pipeline's own" scheduler.
  const ddim = JSON.parse(readFileSync(resolve(sharedRoot, 'fixtures/diffusion-tiny/scheduler/scheduler_config.json'), 'utf8'));
  const lcmConfig = { ...ddim, _class_name: 'LCMScheduler', original_inference_steps: 50, timestep_scaling: 10 };
  const s = await setup(page, { 'unet/model.onnx': guidanceDistilledUnetModel(8), 'scheduler/scheduler_config.json': new TextEncoder().encode(JSON.stringify(lcmConfig)) });
  const settings = await openSynthesis(page, s);
  await settings.getByLabel('Scheduler').selectOption('model');
  await configure(page, { count: 1, steps: 4, strength: 0.5, provider: 'wasm', guidance: 8 });
  // Half the tiny model's 64 px default, chosen on the page.
  await page.getByTestId('synthesis-size').fill('32');
  await page.getByTestId('synthesis-start').click();
  const end = await finished(page);
  expect(end.status, end.text).toBe('completed');
  await expect(page.getByTestId('synthesis-run-notes').first()).toContainText('guidance-distilled UNet (LCM, timestep_cond of width 8): the guidance scale goes into the UNet, no classifier-free guidance runs');
  await expect(page.getByTestId('synthesis-run').first()).toContainText("lcm (the pipeline's own)");
  const [{ run }] = await storedRuns(s);
  expect(run.settings.scheduler).toBe('model');
  expect(run.pipeline?.scheduler).toBe('lcm');
  expect(run.outputs.filter((x) => x !== null)).toHaveLength(1);
  expect(run.settings.size).toBe(32);
  const [image] = await s.h.evaluate(async (r) => window.harness.syntheticRepo.syntheticImagesOfRun(r), run);
  expect([image.provenance.params.modelWidth, image.provenance.params.modelHeight]).toEqual([32, 32]);

  // The same on the WebGPU EP (SwiftShader): timestep_cond is uploaded once and the whole
  // loop, batch 1 (no CFG), stays on the GPU.
  await configure(page, { count: 1, steps: 4, strength: 0.5, provider: 'webgpu', guidance: 8, seed: 2 });
  await page.getByTestId('synthesis-start').click();
  await expect(page.getByTestId('synthesis-run')).toHaveCount(2);
  const gpuEnd = await finished(page, { timeout: 240_000 });
  expect(gpuEnd.status, gpuEnd.text).toBe('completed');
  await expect(page.getByTestId('synthesis-run-provider').first()).toHaveText('webgpu → webgpu (denoising loop on the GPU)');
  const [gpu] = await storedRuns(s);
  expect(gpu.run.pipeline?.notes.join(' ')).toContain('guidance-distilled UNet (LCM, timestep_cond of width 8)');
  expect(gpu.backends).toEqual([['webgpu']]);
});

test('Synthesis page: SD-1.x\'s own PNDM scheduler runs, and on WebGPU its steps run on the CPU with the reason in the run\'s notes', async ({ page }) => {
  test.setTimeout(300_000);
  const ddim = JSON.parse(readFileSync(resolve(sharedRoot, 'fixtures/diffusion-tiny/scheduler/scheduler_config.json'), 'utf8'));
  const pndmConfig = { ...ddim, _class_name: 'PNDMScheduler', skip_prk_steps: true, set_alpha_to_one: false };
  const s = await setup(page, { 'scheduler/scheduler_config.json': new TextEncoder().encode(JSON.stringify(pndmConfig)) });
  const settings = await openSynthesis(page, s);
  await settings.getByLabel('Scheduler').selectOption('model');
  await configure(page, { count: 1, steps: 2, strength: 0.5, provider: 'webgpu', guidance: 1 });
  await page.getByTestId('synthesis-size').fill('32');
  await page.getByTestId('synthesis-start').click();
  const end = await finished(page, { timeout: 240_000 });
  expect(end.status, end.text).toBe('completed');
  await expect(page.getByTestId('synthesis-run-provider').first()).toHaveText('webgpu → webgpu');
  await expect(page.getByTestId('synthesis-run-notes').first()).toContainText("the denoising loop steps on the CPU: the pndm scheduler's step mixes past model outputs");
  const [{ run }] = await storedRuns(s);
  expect(run.pipeline?.scheduler).toBe('pndm');
  expect(run.pipeline?.gpuLoop).toBe(false);
});
