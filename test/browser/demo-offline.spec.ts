// The offline teaching path, clicked through as a teacher with no data and no download
// would: demo dataset (Data) → built-in demo diffusion model (Models) → baseline classifier
// → synthesis → review (accept all) → augmented classifier → report from the runs. The
// generated pipeline is stored, hashed and loaded from OPFS like any other; every step's
// result is read back from storage. Any off-origin request fails the test (fixtures.ts).
import { test, expect, harnessFor } from './fixtures';

test('offline demo workflow: demo data + built-in demo model through synthesis, augmented training and the report', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('/#/data');
  await page.getByTestId('demo-panel').locator('summary').click();
  await page.getByTestId('demo-count').fill('48');
  await page.getByLabel('size (px)').fill('64');
  await page.getByTestId('demo-ratio').fill('0.25');
  await page.getByTestId('demo-create').click();
  await expect(page.getByTestId('import-summary')).toContainText('48 files → 48 distinct images', { timeout: 120_000 });

  // Models: install the demo model.
  await page.goto('/#/models');
  await page.getByTestId('install-demo-model').click();
  await expect(page.getByTestId('import-result')).toContainText('Built-in demo model generated and stored', { timeout: 120_000 });
  await expect(page.getByTestId('demo-model')).toContainText('Installed as builtin-demo-phantom-ldm');
  const h = await harnessFor(page);
  const model = await h.evaluate(() => window.harness.modelStore.getModel('builtin-demo-phantom-ldm'));
  expect(model?.status).toBe('ready');
  expect(Object.keys(model!.files).sort()).toEqual([
    'model_index.json', 'scheduler/scheduler_config.json', 'text_encoder/model.onnx', 'tokenizer/merges.txt', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json',
    'unet/config.json', 'unet/model.onnx', 'vae_decoder/config.json', 'vae_decoder/model.onnx', 'vae_encoder/config.json', 'vae_encoder/model.onnx',
  ]);
  expect(Object.values(model!.files).every((f) => f.complete && /^[0-9a-f]{64}$/.test(f.sha256 ?? ''))).toBe(true);
  const ds = await h.evaluate(async () => {
    const [d] = await window.harness.datasetRepo.listDatasets();
    return { id: d.id, taskId: d.tasks[0].id };
  });

  // Baseline classifier (head-only, small input: the CI machine has no GPU).
  const train = async (arm: 'baseline' | 'augmented') => {
    await page.goto(`/#/${arm}`);
    const section = page.getByTestId(`classifier-page-${arm}`);
    const settings = section.getByTestId('training-settings');
    await settings.getByLabel('Input size (px)', { exact: true }).fill('150');
    await settings.getByLabel('Epochs', { exact: true }).fill('3');
    await section.getByTestId('train').click();
    const card = section.getByTestId('classifier-run').first();
    await expect(card).toHaveAttribute('data-status', /^(completed|failed)$/, { timeout: 300_000 });
    expect(await card.getAttribute('data-status'), (await card.textContent()) ?? '').toBe('completed');
  };
  await train('baseline');

  // Synthesis with the demo model: 4 images.
  await page.goto('/#/synthesis');
  const settings = page.getByTestId('synthesis-settings');
  await settings.getByLabel('Model').selectOption('builtin-demo-phantom-ldm');
  await settings.getByLabel('Dataset').selectOption(ds.id);
  await settings.getByLabel('Task').selectOption(ds.taskId);
  await settings.getByLabel('Images (N normal training sources)').fill('4');
  await settings.getByLabel('Steps').fill('10');
  await page.getByTestId('synthesis-start').click();
  const run = page.getByTestId('synthesis-run');
  await expect(run).toHaveAttribute('data-status', /^(completed|failed|cancelled)$/, { timeout: 240_000 });
  expect(await run.getAttribute('data-status'), (await run.textContent()) ?? '').toBe('completed');
  await expect(page.getByTestId('review-item')).toHaveCount(4);
  const synth = await h.evaluate(async ([d, t]) => {
    const [r] = await window.harness.syntheticRepo.listSynthesisRuns(d, t);
    return { run: r, imgs: await window.harness.syntheticRepo.syntheticImagesOfRun(r) };
  }, [ds.id, ds.taskId] as const);
  expect(synth.run.settings).toMatchObject({ model: { kind: 'store', modelId: 'builtin-demo-phantom-ldm' }, count: 4, steps: 10 });
  expect(new Set(synth.imgs.map((i) => i.id)).size).toBe(4);
  for (const img of synth.imgs) {
    expect(img.origin).toBe('synthetic');
    // generated at the model's 256 px, stored at the source's size like a real model's output
    expect([img.width, img.height]).toEqual([64, 64]);
    expect(img.provenance.params.prompt).toMatch(/pneumonia/);
  }

  // Review: accept the whole page.
  await page.getByRole('button', { name: 'Select page' }).click();
  await page.getByTestId('review-accept-selected').click();
  await expect(page.getByTestId('review-counts')).toHaveText('0 pending · 4 accepted · 0 rejected');

  // Augmented classifier: the accepted images enter training and validation.
  await train('augmented');
  const runs = await h.evaluate(() => window.harness.classifierRuns.listClassifierRuns());
  const augmented = runs.find((r) => r.arm === 'augmented')!;
  expect(augmented.counts.syntheticTrain + augmented.counts.syntheticVal).toBe(4);

  // Report from both runs (stored in IndexedDB, with the synthetic gallery).
  await page.goto('/#/report');
  await page.getByTestId('build-from-runs').click();
  await expect(page.getByTestId('report-title')).toContainText('Latent-diffusion augmentation');
  await expect(page.getByTestId('from-runs-error')).toHaveCount(0);
  await expect(page.getByTestId('synthetic-added')).toContainText('4');
  await expect(page.getByTestId('saved-report').first()).toContainText('classifier runs in this browser');
});
