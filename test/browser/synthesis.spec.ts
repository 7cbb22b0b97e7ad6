// Synthesis in real Chromium: the tiny SD-1.x fixture pipeline (URL source, wasm EP: on
// SwiftShader it is the faster one) over a small synthetic-demo dataset, driven through the
// same launcher and workers as the Synthesis page. Kept lean: few images, 2 UNet steps each.
import { test, expect, openHarness } from './fixtures';
import type { Page } from '@playwright/test';
import { deriveSeed } from '../../src/core/random';

const TINY_MODEL = {
  kind: 'url' as const,
  baseUrl: '/__shared__/fixtures/diffusion-tiny/',
  files: {
    'tokenizer/vocab.json': '/__shared__/fixtures/tokenizer-clip/vocab.json',
    'tokenizer/merges.txt': '/__shared__/fixtures/tokenizer-clip/merges.txt',
  },
};

async function demoDataset(page: Page): Promise<{ datasetId: string; taskId: string; finding: string; testId: string; trainNormals: string[] }> {
  return page.evaluate(async () => {
    const h = window.harness;
    const r = await h.startDemoDataset({ count: 16, size: 64, classRatio: 0.5, seed: 3, name: 'synthesis-test' }).result;
    const ds = (await h.datasetRepo.getDataset(r.datasetId))!;
    const task = ds.tasks.find((t) => t.positiveFinding === 'pneumonia') ?? ds.tasks[0];
    const split = ds.splits.find((s) => s.taskId === task.id)!;
    const testId = Object.entries(split.assignments).find(([, s]) => s === 'test')![0];
    const train = await h.datasetRepo.imagesForTask(ds.id, task.id, 'train');
    return { datasetId: ds.id, taskId: task.id, finding: task.positiveFinding, testId, trainNormals: train.filter((x) => x.label === 0).map((x) => x.id) };
  });
}

test('a cancel that lands inside a generation (the pipeline\'s AbortError) records the run as cancelled, not failed', async ({ page }) => {
  await openHarness(page);
  const ds = await demoDataset(page);
  // The job body with a scripted engine: the cancel arrives while the first image is being generated.
  const out = await page.evaluate(async (d) => {
    const h = window.harness;
    const controller = new AbortController();
    const ctx = {
      signal: controller.signal,
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new h.JobCancelledError();
      },
      progress: () => undefined,
    };
    const engine = {
      checkProvider: async () => undefined,
      ensurePipeline: async () => ({ info: { scheduler: 'ddim', providers: ['wasm'] }, modelId: 'scripted', modelSource: 'url', modelHash: null }) as never,
      generate: async () => {
        controller.abort();
        throw new DOMException('signal is aborted without reason', 'AbortError');
      },
    };
    const settings = {
      model: { kind: 'url' as const, baseUrl: '/scripted/' }, datasetId: d.datasetId, taskId: d.taskId, count: 2,
      prompt: 'a pediatric chest x-ray showing pneumonia', negativePrompt: '', strength: 0.5, steps: 4, guidance: 7.5, scheduler: 'ddim', seed: 1, provider: 'wasm' as const,
    };
    const outcome = await h.runSynthesisJob({ ...settings, runId: 'run-abort' }, ctx, engine).then(() => 'finished', (e: Error) => e.name);
    const run = (await h.syntheticRepo.getSynthesisRun('run-abort'))!;
    return { outcome, status: run.status, error: run.error ?? null };
  }, ds);
  expect(out.outcome).toBe('AbortError');
  expect(out).toMatchObject({ status: 'cancelled', error: null });
});

test('a run with a substitute VAE passes it to the pipeline and records it in every image\'s provenance', async ({ page }) => {
  await openHarness(page);
  const ds = await demoDataset(page);
  const out = await page.evaluate(async (d) => {
    const h = window.harness;
    const asked: unknown[][] = [];
    const engine = {
      checkProvider: async () => undefined,
      ensurePipeline: async (...args: unknown[]) => {
        asked.push(args);
        return { info: { scheduler: 'ddim', providers: ['wasm'] }, modelId: 'scripted', modelSource: 'url', modelHash: null, vae: { modelId: 'taesd-onnx', modelHash: 'f'.repeat(64) } } as never;
      },
      // a scripted image per source (distinct pixels, so distinct content-addressed ids)
      generate: async (params: { seed?: number }) => ({
        width: 64, height: 64, rgb: new Uint8Array(64 * 64 * 3), gray: new Uint8Array(64 * 64).map((_, i) => (i * 7 + (params.seed ?? 0)) % 251),
        timesteps: [1], loop: 'host', timings: { encodePromptMs: 0, vaeEncodeMs: 0, unetStepMs: [], stepOverheadMs: [], vaeDecodeMs: 0, totalMs: 0 },
      }) as never,
    };
    const ctx = { signal: new AbortController().signal, throwIfCancelled: () => undefined, progress: () => undefined };
    const settings = {
      model: { kind: 'url' as const, baseUrl: '/scripted/' }, datasetId: d.datasetId, taskId: d.taskId, count: 2,
      prompt: 'a pediatric chest x-ray showing pneumonia', negativePrompt: '', strength: 0.5, steps: 2, guidance: 7.5, scheduler: 'ddim', seed: 1, provider: 'wasm' as const,
      vaeModelId: 'taesd-onnx',
    };
    await h.runSynthesisJob({ ...settings, runId: 'run-vae' }, ctx, engine);
    const run = (await h.syntheticRepo.getSynthesisRun('run-vae'))!;
    const images = await h.syntheticRepo.syntheticImagesOfRun(run);
    return { asked: asked.map((a) => a[3]), vaes: images.map((i) => i.provenance.params.vae ?? null), stored: run.settings.vaeModelId };
  }, ds);
  expect(out.asked).toEqual(['taesd-onnx']);
  expect(out.stored).toBe('taesd-onnx');
  expect(out.vaes).toEqual([{ modelId: 'taesd-onnx', modelHash: 'f'.repeat(64) }, { modelId: 'taesd-onnx', modelHash: 'f'.repeat(64) }]);
});

test('synthesis job: test split refused, provenance stored, cancel + resume, survives reload, review gates augmentation', async ({ page }) => {
  test.setTimeout(240_000);
  await openHarness(page);
  const ds = await demoDataset(page);
  expect(ds.trainNormals.length).toBeGreaterThanOrEqual(4);

  const settings = {
    model: TINY_MODEL, datasetId: ds.datasetId, taskId: ds.taskId, count: 4,
    prompt: 'a pediatric chest x-ray showing pneumonia', negativePrompt: 'text, watermark',
    strength: 0.5, steps: 4, guidance: 7.5, scheduler: 'ddim', seed: 7, provider: 'wasm' as const,
  };

  // A test image named as a source through the API: the lock refuses it before anything runs.
  const refused = await page.evaluate(async ([s, testId]) => {
    const h = window.harness;
    try {
      await h.diffusion().synthesize('t-lock', { ...s, runId: 'lock-attempt', sourceIds: [testId] }, h.proxy(() => undefined));
      return null;
    } catch (e) {
      return { message: (e as Error).message, run: (await h.syntheticRepo.getSynthesisRun('lock-attempt')) ?? null };
    }
  }, [settings, ds.testId] as const);
  expect(refused?.message).toContain('test split is locked');
  expect(refused?.message).toContain('synthesis-source');
  expect(refused?.run).toBeNull();

  // Start, and cancel once the first image is checkpointed (polling the run record as the page does).
  const first = await page.evaluate(async (s) => {
    const h = window.harness;
    const job = h.startSynthesis({ ...s, runId: 'run-a' });
    let outputs: (string | null)[] = [];
    for (;;) {
      const run = await h.syntheticRepo.getSynthesisRun('run-a');
      outputs = run?.outputs ?? [];
      if (outputs.some((x) => x !== null)) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    await job.cancel();
    const outcome = await job.result.then(() => 'finished', (e: Error) => e.name);
    const run = (await h.syntheticRepo.getSynthesisRun('run-a'))!;
    const images = await h.syntheticRepo.syntheticImagesOfRun(run);
    return { outcome, run, images, jobId: job.id };
  }, settings);
  expect(first.outcome).toBe('JobCancelledError');
  expect(first.run.status).toBe('cancelled');
  const doneBefore = first.run.outputs.filter((x) => x !== null);
  expect(doneBefore.length).toBeGreaterThanOrEqual(1);
  expect(doneBefore.length).toBeLessThan(4);
  expect(first.run.sourceIds).toHaveLength(4);
  for (const id of first.run.sourceIds) expect(ds.trainNormals).toContain(id);

  // Resume: only the missing images are generated; finished ones are not touched.
  const resumed = await page.evaluate(async ([s, prevJob]) => {
    const h = window.harness;
    const r = await h.startSynthesis({ ...s, runId: 'run-a', resume: true }, prevJob).result;
    const run = (await h.syntheticRepo.getSynthesisRun('run-a'))!;
    return { r, run, images: await h.syntheticRepo.syntheticImagesOfRun(run) };
  }, [settings, first.jobId] as const);
  expect(resumed.run.status).toBe('completed');
  expect(resumed.r.skippedThisRun).toBe(doneBefore.length);
  expect(resumed.r.generatedThisRun).toBe(4 - doneBefore.length);
  expect(resumed.run.outputs.filter((x) => x !== null)).toHaveLength(4);
  expect(resumed.run.jobIds).toHaveLength(2);
  for (const img of first.images) {
    const after = resumed.images.find((x) => x.id === img.id)!;
    expect(after.provenance.params.generatedAt).toBe(img.provenance.params.generatedAt);
  }

  // Provenance of every image.
  const imgs = resumed.images;
  expect(new Set(imgs.map((x) => x.id)).size).toBe(4);
  imgs.forEach((img) => {
    const i = resumed.run.outputs.indexOf(img.id);
    expect(img.origin).toBe('synthetic');
    expect(img.labels).toEqual([ds.finding]);
    expect(img.review.status).toBe('pending');
    expect(img.provenance.generator).toBe('ldm-img2img');
    expect(img.provenance.sourceImageId).toBe(resumed.run.sourceIds[i]);
    expect(img.provenance.seed).toBe(deriveSeed(7, i));
    const p = img.provenance.params;
    expect(p).toMatchObject({
      datasetId: ds.datasetId, taskId: ds.taskId, runId: 'run-a', prompt: settings.prompt, negativePrompt: settings.negativePrompt,
      strength: 0.5, steps: 4, guidance: 7.5, scheduler: 'ddim', modelId: TINY_MODEL.baseUrl, modelSource: 'url', modelHash: null,
      backend: ['wasm'], modelWidth: 64, modelHeight: 64,
    });
    expect(p.generatedAt).toBeGreaterThan(0);
    expect(p.generateMs).toBeGreaterThan(0);
  });

  // Stored pixels are canonical (content address = SHA-256 of the pixels), at the source's scale, with a thumbnail.
  const stored = await page.evaluate(async (ids) => {
    const h = window.harness;
    const out = [];
    for (const id of ids) {
      const px = (await h.datasetRepo.readCanonicalPixels(id))!;
      const [thumb] = await h.datasetRepo.readThumbnails([id]);
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', px.pixels.slice().buffer));
      const members = await h.datasetRepo.listDatasetImages((await h.datasetRepo.listDatasets())[0].id);
      out.push({ w: px.width, h: px.height, thumb: !!thumb, distinct: new Set(px.pixels).size, inDataset: members.some((m) => m.id === id), hashPrefix: [...hash.slice(0, 2)] });
    }
    return out;
  }, imgs.map((x) => x.id));
  for (const s of stored) {
    expect([s.w, s.h]).toEqual([64, 64]);
    expect(s.thumb).toBe(true);
    expect(s.distinct).toBeGreaterThan(8); // a real image, not a constant
    expect(s.inDataset).toBe(false); // never a dataset member, so a re-split cannot place it in test
  }

  // Survives a reload.
  await page.reload();
  await openHarness(page);
  const afterReload = await page.evaluate(([d, t]) => window.harness.syntheticRepo.listSyntheticImages(d, t), [ds.datasetId, ds.taskId] as const);
  expect(afterReload.map((x) => x.id).sort()).toEqual(imgs.map((x) => x.id).sort());
  expect(afterReload.every((x) => x.provenance.params.runId === 'run-a')).toBe(true);

  // Review: only accepted images are offered to augmentation (and the classifier's reader agrees).
  const review = await page.evaluate(async ([d, t, ids]) => {
    const h = window.harness;
    const accepted = async () => (await h.syntheticRepo.acceptedSyntheticImages(d, t)).map((x) => x.id);
    const classifierView = async () => (await h.classifierRuns.acceptedSyntheticImages(d, t)).map((x) => x.id);
    const none = await accepted();
    await h.syntheticRepo.setReviewStatus([ids[0], ids[1], ids[2]], 'accepted');
    await h.syntheticRepo.setReviewStatus([ids[1]], 'rejected');
    const some = await accepted();
    const classifier = await classifierView();
    const otherTask = await h.syntheticRepo.acceptedSyntheticImages(d, 'no-such-task');
    return { none, some, classifier, otherTask: otherTask.length };
  }, [ds.datasetId, ds.taskId, imgs.map((x) => x.id)] as const);
  expect(review.none).toEqual([]);
  expect(review.some).toEqual([imgs[0].id, imgs[2].id].sort());
  expect(review.classifier).toEqual(review.some);
  expect(review.otherTask).toBe(0);

  // The Data page shows them, flagged synthetic with their provenance, outside every split.
  await page.goto('/#/data');
  await expect(page.getByTestId('grid-count')).toContainText(`(${imgs.length} synthetic, not in any split)`);
  await page.getByTestId('filter-origin').selectOption('synthetic');
  await expect(page.getByTestId('thumbnail-grid')).toHaveAttribute('data-count', String(imgs.length));
  await page.getByTestId('grid-cell').first().click();
  await expect(page.getByTestId('provenance')).toContainText('generated by ldm-img2img');
  await expect(page.getByTestId('provenance')).toContainText(/review: (accepted|rejected|pending)/);
  await expect(page.getByTestId('relabel-input')).toHaveCount(0);
});

test('quality worker: FID of a set with itself ≈ 0; against an affine-shifted set it matches the float64 closed form', async ({ page }) => {
  await openHarness(page);
  // X: n × d pseudo-random features; Y = a·X + c. Then Σ_Y = a²Σ_X commutes with Σ_X, so
  // Tr((Σ_X Σ_Y)^½) = a·Tr(Σ_X) and FID = ‖(1−a)μ_X − c‖² + (1−a)²·Tr(Σ_X), computed here in float64.
  const n = 24;
  const d = 2048;
  const a = 1.3;
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: n * d }, () => rand() * 2);
  const c = Float64Array.from({ length: d }, (_, j) => 0.05 * Math.sin(j));
  const y = Float32Array.from(x, (v, k) => a * v + c[k % d]);
  const xs = Array.from(x);
  const ys = Array.from(y);
  // float64 reference from the float32 values actually sent (Y's rounding perturbs it by ~1e-7 relative)
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += xs[i * d + j] / n;
  let trace = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) trace += (xs[i * d + j] - mu[j]) ** 2 / (n - 1);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += ((1 - a) * mu[j] - c[j]) ** 2;
  const reference = meanTerm + (1 - a) ** 2 * trace;

  const r = await page.evaluate(async ([xs, ys, n, d]) => {
    const h = window.harness;
    const X = Float32Array.from(xs);
    const Y = Float32Array.from(ys);
    const ids = (p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
    const rows = Array.from({ length: n }, (_, i) => i);
    const features = { weightsHash: 'test', inputSize: 299, backend: 'test' };
    const q = h.quality();
    const self = await q.report('q-self', { d, synthetic: X, syntheticIds: ids('x'), realTrain: X, realTrainIds: ids('r'), realPositiveRows: rows, set: 'all', features, kidSubsets: 10 }, h.proxy(() => undefined));
    const shifted = await q.report('q-shift', { d, synthetic: X, syntheticIds: ids('x'), realTrain: Y, realTrainIds: ids('r'), realPositiveRows: rows, set: 'all', features, kidSubsets: 10 }, h.proxy(() => undefined));
    return { self: self.fid.fid, selfKid: self.kid.kid, selfNearCopies: self.memorisation.nearCopies, shifted: shifted.fid.fid, shiftedKid: shifted.kid.kid };
  }, [xs, ys, n, d] as const);
  expect(Math.abs(r.self)).toBeLessThan(1e-6 * trace);
  expect(r.selfNearCopies).toBe(n); // every image is its own nearest real image at distance 0
  expect(r.shifted).toBeGreaterThan(0);
  expect(Math.abs(r.shifted - reference) / reference).toBeLessThan(1e-5);
  // KID's unbiased estimate is not 0 for a set against itself (diagonal terms), but the shift must raise it.
  expect(r.shiftedKid).toBeGreaterThan(r.selfKid);
});

test('Synthesis page: without a ready diffusion model it says so and links to Models', async ({ page }) => {
  await page.goto('/#/synthesis');
  await expect(page.getByRole('heading', { name: 'Synthesis' })).toBeVisible();
  const msg = page.getByTestId('synthesis-no-model');
  await expect(msg).toContainText('No diffusion model is ready');
  await expect(msg.getByRole('link', { name: 'Models' })).toHaveAttribute('href', '#/models');
  await expect(page.getByTestId('synthesis-start')).toBeDisabled();
});
