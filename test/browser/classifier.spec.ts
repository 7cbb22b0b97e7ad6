// Classifier in real Chromium: the worker's code paths (weights loading, head-only and deep
// training, checkpoints, scoring, export/re-import, features API) on webgpu (SwiftShader), wasm
// and cpu. Sizes are reduced where the check allows it; the 2-core CI machine runs this.
import { test, expect, openHarness, sharedRoot } from './fixtures';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { runSchema } from '../../src/core/report/schema';
import { auroc } from '../../src/core/metrics';
import { maxRelativeDifference } from '../../src/core/numeric';
import { readFileSync } from 'node:fs';

const kermany = join(sharedRoot, 'data/kermany-subset');
const kermanyPaths = ['NORMAL', 'PNEUMONIA'].flatMap((c) => readdirSync(join(kermany, 'train', c)).sort().map((f) => `train/${c}/${f}`));
const fixtureDir = join(sharedRoot, 'fixtures/inception-v3');
const f32 = (p: string) => {
  const b = readFileSync(join(fixtureDir, p));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

const TRAIN_CONFIG = {
  inputSize: 150, trainableDepth: 'head' as const, optimizer: 'adam' as const, learningRate: 1e-2, momentum: 0.9,
  schedule: { kind: 'cosine' as const, minLr: 1e-3 }, batchSize: 16, epochs: 12, earlyStopping: null,
  classWeighted: false, augmentation: null, dropoutRate: 0.3, seed: 7,
};

async function importKermany(page: Page): Promise<string> {
  return page.evaluate(async (paths) => {
    const files = await Promise.all(paths.map(async (p) => ({ path: `kermany-subset/${p}`, file: new File([(await window.harness.fetchBytes(`/__shared__/data/kermany-subset/${p}`)) as Uint8Array<ArrayBuffer>], p.split('/').pop()!) })));
    return (await window.harness.startDataImport({ name: 'kermany', files }).result).datasetId;
  }, kermanyPaths);
}

test('nsfwjs backbone in the worker gives the same pooled features as tf.loadLayersModel of its model.json', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async (urls) => {
    const h = window.harness;
    const images = await Promise.all(urls.map((u) => h.classifierReference.decodeGray(u)));
    const ours = await h.classifier().pooledFeatures('t-nsfw', { source: { kind: 'nsfwjs' }, inputSize: 299, images, backend: 'wasm' }, h.proxy(() => undefined));
    const reference = await h.classifierReference.nsfwjsLayersModelFeatures(images, 'wasm');
    return { ours: Array.from(ours.features), reference: Array.from(reference), backend: ours.backend, count: ours.count };
  }, [`/__shared__/data/kermany-subset/${kermanyPaths[0]}`, `/__shared__/data/kermany-subset/${kermanyPaths[kermanyPaths.length - 1]}`]);
  expect(r.backend).toBe('wasm');
  expect(r.ours.length).toBe(2 * 2048);
  const rel = maxRelativeDifference(r.ours, r.reference);
  console.log(`nsfwjs pooled features, ours vs tf.loadLayersModel (wasm, 299 px, 2 CXRs): max rel diff ${rel.toExponential(2)}`);
  expect(rel).toBeLessThan(1e-4);
  expect(Math.max(...r.ours)).toBeGreaterThan(0.1); // not all zeros
});

test('torchvision fixture reproduces its logits and pooled features on webgpu (1 image, 299 px)', async ({ page }) => {
  test.setTimeout(600_000);
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const out = await window.harness.classifierReference.torchvisionFixture('webgpu', 1);
    return { features: Array.from(out.features), logits: Array.from(out.logits), ms: out.msPerImage };
  });
  const features = f32('refs/features.bin').subarray(0, 2048);
  const logits = f32('refs/logits.bin').subarray(0, 2);
  const relF = maxRelativeDifference(r.features, features);
  const relL = maxRelativeDifference(r.logits, logits);
  console.log(`torchvision fixture on webgpu (SwiftShader): ${(r.ms / 1000).toFixed(1)} s/image, features rel ${relF.toExponential(2)}, logits rel ${relL.toExponential(2)}`);
  expect(relF).toBeLessThan(1e-3);
  expect(relL).toBeLessThan(1e-3);
});

test('webgpu and cpu agree on deep fine-tuning steps (75 px, from mixed5, frozen BN in inference mode)', async ({ page }) => {
  test.setTimeout(600_000);
  await openHarness(page);
  const r = await page.evaluate(async (urls) => {
    const h = window.harness;
    const images = await Promise.all(urls.map((u) => h.classifierReference.decodeGray(u)));
    const req = { inputSize: 75, depth: 'mixed5' as const, images, labels: [0, 1] as (0 | 1)[], seed: 3, steps: 2 };
    const gpu = await h.classifier().trainStepCheck({ ...req, backend: 'webgpu' });
    const cpu = await h.classifier().trainStepCheck({ ...req, backend: 'cpu' });
    const pick = (x: typeof gpu) => ({ backend: x.backend, losses: x.losses, head: Array.from(x.headKernel), first: { name: x.firstTrainable.name, values: Array.from(x.firstTrainable.values) }, leak: x.tensorsAfter - x.tensorsBefore });
    return { gpu: pick(gpu), cpu: pick(cpu) };
  }, [`/__shared__/data/kermany-subset/${kermanyPaths[1]}`, `/__shared__/data/kermany-subset/${kermanyPaths[kermanyPaths.length - 2]}`]);
  console.log(`train steps: webgpu losses ${r.gpu.losses.map((x) => x.toFixed(5))}, cpu ${r.cpu.losses.map((x) => x.toFixed(5))}; first trainable ${r.gpu.first.name}`);
  expect(r.gpu.backend).toBe('webgpu');
  expect(r.cpu.backend).toBe('cpu');
  expect(r.gpu.first.name).toBe(r.cpu.first.name);
  expect(maxRelativeDifference(r.gpu.losses, r.cpu.losses)).toBeLessThan(1e-3);
  expect(maxRelativeDifference(r.gpu.head, r.cpu.head)).toBeLessThan(1e-3);
  expect(maxRelativeDifference(r.gpu.first.values, r.cpu.first.values)).toBeLessThan(1e-3);
  expect(r.gpu.losses[1]).not.toBe(r.gpu.losses[0]); // the first step changed the weights
  expect(r.gpu.leak).toBe(0);
  expect(r.cpu.leak).toBe(0);
});

test('head-only fine-tuning on the Kermany subset: loss falls, beats chance on held-out test images, memory flat, checkpoint resumes, export re-imports', async ({ page }) => {
  test.setTimeout(900_000);
  await openHarness(page);
  const datasetId = await importKermany(page);
  const run = await page.evaluate(async ({ datasetId, config }) => {
    const h = window.harness;
    const c = h.classifier();
    const t0 = performance.now();
    await c.train('t-train', { runId: 'run-full', arm: 'baseline', datasetId, taskId: 'pneumonia-vs-normal', source: { kind: 'nsfwjs' }, config, backend: 'wasm' }, h.proxy(() => undefined));
    const seconds = (performance.now() - t0) / 1000;
    return { record: await h.classifierRuns.getClassifierRun('run-full'), seconds, stored: !!(await h.classifierRuns.classifierModels.get('run-full')) };
  }, { datasetId, config: TRAIN_CONFIG });
  const rec = run.record!;
  console.log(`head-only run (wasm, 150 px): ${run.seconds.toFixed(1)} s; train/val/test ${JSON.stringify(rec.counts)}; curve`, rec.trainingCurve.map((p) => `${p.epoch}:${(p.trainLoss as number).toFixed(3)}/${(p.valLoss as number).toFixed(3)}`).join(' '));
  expect(rec.status).toBe('completed');
  expect(rec.backend.active).toBe('wasm');
  expect(rec.trainingCurve.length).toBe(12);
  const first = rec.trainingCurve[0].trainLoss as number;
  const last = rec.trainingCurve[rec.trainingCurve.length - 1].trainLoss as number;
  expect(last).toBeLessThan(first * 0.8);
  // Test images are scored only at the end and never trained on.
  const testIds = new Set(rec.test.map((s) => s.imageId));
  expect(rec.validation.some((s) => testIds.has(s.imageId))).toBe(false);
  const testAuroc = auroc(rec.test.map((s) => s.label), rec.test.map((s) => s.score))!;
  console.log(`test AUROC ${testAuroc.toFixed(3)} on ${rec.test.length} held-out images`);
  expect(testAuroc).toBeGreaterThan(0.7);
  // tf.memory() flat across epochs
  const tensors = rec.trainingCurve.map((p) => p.tensors);
  expect(new Set(tensors).size, `tensors per epoch ${tensors}`).toBe(1);
  // report schema accepts the run
  const reportRun = await page.evaluate(async () => window.harness.classifierRuns.toReportRun((await window.harness.classifierRuns.getClassifierRun('run-full'))!));
  expect(() => runSchema.parse(reportRun)).not.toThrow();
  expect(run.stored).toBe(true);

  // Pause after epoch 4, kill the worker (as a reload would), resume in a fresh worker: same curve and scores.
  const resumed = await page.evaluate(async ({ datasetId, config }) => {
    const h = window.harness;
    const req = { runId: 'run-resume', arm: 'baseline' as const, datasetId, taskId: 'pneumonia-vs-normal', source: { kind: 'nsfwjs' as const }, config, backend: 'wasm' as const };
    let paused = '';
    await h.classifier().train('t-a', { ...req, stopAfterEpoch: 4 }, h.proxy(() => undefined)).catch((e: Error) => (paused = e.name + ': ' + e.message));
    const cp = (await h.stores.checkpoints.get('classifier:run-resume')) as { epochsDone: number } | undefined;
    h.terminateClassifier();
    await h.classifier().train('t-b', { ...req, resume: true }, h.proxy(() => undefined));
    return { paused, epochsAtPause: cp?.epochsDone, record: await h.classifierRuns.getClassifierRun('run-resume') };
  }, { datasetId, config: TRAIN_CONFIG });
  expect(resumed.paused).toContain('cancel');
  expect(resumed.epochsAtPause).toBe(4);
  expect(resumed.record!.resumedAtEpoch).toBe(4);
  const a = rec.trainingCurve.map((p) => p.trainLoss as number);
  const b = resumed.record!.trainingCurve.map((p) => p.trainLoss as number);
  expect(b.length).toBe(a.length);
  expect(maxRelativeDifference(b, a)).toBeLessThan(1e-5);
  expect(maxRelativeDifference(resumed.record!.test.map((s) => s.score), rec.test.map((s) => s.score))).toBeLessThan(1e-5);

  // Export (model.json + weights.bin) and re-import: the full network reproduces the run's test scores.
  const reimport = await page.evaluate(async () => {
    const h = window.harness;
    const c = h.classifier();
    const exp = await c.exportModel('run-full');
    const files = [new File([exp.modelJson], 'model.json'), new File([exp.weights], 'weights.bin')];
    const record = (await h.classifierRuns.getClassifierRun('run-full'))!;
    const scores = await c.score('t-score', { source: { kind: 'tfjs-files', files }, imageIds: record.test.map((s) => s.imageId), backend: 'wasm' }, h.proxy(() => undefined));
    return { scores: Array.from(scores), expected: record.test.map((s) => s.score), bytes: exp.weights.byteLength };
  });
  console.log(`exported weights.bin ${(reimport.bytes / 2 ** 20).toFixed(1)} MiB`);
  const maxAbs = Math.max(...reimport.scores.map((s, i) => Math.abs(s - reimport.expected[i])));
  expect(maxAbs).toBeLessThan(1e-4);
});

test('corrupt or incomplete weight files are rejected with a message naming the problem', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const h = window.harness;
    const c = h.classifier();
    const json = await (await fetch('/models/nsfwjs-inception-v3/model.json')).text();
    const manifest = JSON.parse(json).weightsManifest as { paths: string[] }[];
    const paths = manifest.flatMap((g) => g.paths);
    const shards = await Promise.all(paths.map(async (p) => new File([(await h.fetchBytes(`/models/nsfwjs-inception-v3/${p}`)) as Uint8Array<ArrayBuffer>], p)));
    const err = async (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => e.message);
    const truncated = shards.map((f, i) => (i === shards.length - 1 ? new File([f.slice(0, f.size - 1000)], f.name) : f));
    return {
      truncated: await err(c.inspectWeights({ kind: 'tfjs-files', files: [new File([json], 'model.json'), ...truncated] })),
      missingShard: await err(c.inspectWeights({ kind: 'tfjs-files', files: [new File([json], 'model.json'), ...shards.slice(1)] })),
      notJson: await err(c.inspectWeights({ kind: 'tfjs-files', files: [new File(['{"modelTopology": '], 'model.json'), ...shards] })),
      safetensors: await err(c.inspectWeights({ kind: 'timm-safetensors-file', file: new File([new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 123, 125])], 'model.safetensors') })),
      ok: await c.inspectWeights({ kind: 'tfjs-files', files: [new File([json], 'model.json'), ...shards] }, 75),
    };
  });
  console.log(JSON.stringify(r, null, 1));
  expect(r.truncated).toMatch(/truncated/);
  expect(r.missingShard).toMatch(new RegExp(`weight file ".*" listed in the manifest was not among the chosen files`));
  expect(r.notJson).toMatch(/not valid JSON/);
  expect(r.safetensors).toMatch(/missing \d+ tensor\(s\): Conv2d_1a_3x3\.conv\.weight/);
  expect(r.ok.weightsHash).toMatch(/^[0-9a-f]{64}$/);
});

test('Baseline page: train head-only from the UI, watch the curve, see test metrics; Augmented page says when there is nothing synthetic', async ({ page }) => {
  test.setTimeout(600_000);
  await openHarness(page);
  await importKermany(page);
  // head-only feature extraction is far faster on wasm than on SwiftShader WebGPU: force it as a user would in Settings
  await page.evaluate(async () => window.harness.stores.settings.put('app', { backends: { tfjs: 'wasm', ort: 'auto' }, maxImageSide: 512 }));
  await page.goto('/#/baseline');
  const section = page.getByTestId('classifier-page-baseline');
  await expect(section).toBeVisible();
  await expect(section.getByTestId('weights-source')).toContainText('nsfwjs');
  const settings = section.getByTestId('training-settings');
  await settings.getByLabel('Input size (px)', { exact: true }).fill('150');
  await settings.getByLabel('Epochs', { exact: true }).fill('4');
  await settings.getByLabel('Learning rate', { exact: true }).fill('0.01');
  await section.getByTestId('train').click();
  const card = section.getByTestId('classifier-run').first();
  await expect(card).toHaveAttribute('data-status', 'completed', { timeout: 300_000 });
  await expect(card.getByTestId('training-curves')).toContainText('4 epoch(s)');
  await expect(card.getByTestId('run-metrics')).toContainText('threshold 0.5');
  await expect(card).toContainText('backend wasm');

  await page.goto('/#/augmented');
  await expect(page.getByTestId('no-synthetic')).toContainText('No accepted synthetic images');
});
