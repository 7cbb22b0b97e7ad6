// The offline teaching path: no file and no download. Demo dataset (Data page), the
// built-in demo diffusion model (Models page), synthesis from the Synthesis page; the
// generated pipeline is stored, hashed and loaded from OPFS like any other, and its
// images carry provenance naming it. Any off-origin request fails the test (fixtures.ts).
import { test, expect, harnessFor } from './fixtures';

test('demo dataset + built-in demo model: synthesis runs offline and stores provenance', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/#/data');
  await page.getByTestId('demo-panel').locator('summary').click();
  await page.getByTestId('demo-count').fill('12');
  await page.getByLabel('size (px)').fill('64');
  await page.getByTestId('demo-ratio').fill('0.5');
  await page.getByTestId('demo-create').click();
  await expect(page.getByTestId('import-summary')).toContainText('12 files → 12 distinct images', { timeout: 120_000 });

  await page.goto('/#/models');
  await page.getByTestId('install-demo-model').click();
  await expect(page.getByTestId('import-result')).toContainText('Built-in demo model generated and stored', { timeout: 120_000 });
  await expect(page.getByTestId('demo-model')).toContainText('Installed as builtin-demo-phantom-ldm');
  const h = await harnessFor(page);
  const model = await h.evaluate(() => window.harness.modelStore.getModel('builtin-demo-phantom-ldm'));
  expect(model?.status).toBe('ready');
  expect(Object.keys(model!.files).sort()).toEqual([
    'model_index.json', 'scheduler/scheduler_config.json', 'text_encoder/model.onnx', 'tokenizer/merges.txt', 'tokenizer/vocab.json',
    'unet/config.json', 'unet/model.onnx', 'vae_decoder/config.json', 'vae_decoder/model.onnx', 'vae_encoder/config.json', 'vae_encoder/model.onnx',
  ]);
  expect(Object.values(model!.files).every((f) => f.complete && /^[0-9a-f]{64}$/.test(f.sha256 ?? ''))).toBe(true);

  await page.goto('/#/synthesis');
  const settings = page.getByTestId('synthesis-settings');
  await settings.getByLabel('Model').selectOption('builtin-demo-phantom-ldm');
  const ds = await h.evaluate(async () => {
    const [d] = await window.harness.datasetRepo.listDatasets();
    return { id: d.id, taskId: d.tasks[0].id };
  });
  await settings.getByLabel('Dataset').selectOption(ds.id);
  await settings.getByLabel('Task').selectOption(ds.taskId);
  await settings.getByLabel('Images (N normal training sources)').fill('2');
  await settings.getByLabel('Steps').fill('6');
  await page.getByTestId('synthesis-start').click();
  const run = page.getByTestId('synthesis-run');
  await expect(run).toHaveAttribute('data-status', /^(completed|failed|cancelled)$/, { timeout: 240_000 });
  expect(await run.getAttribute('data-status'), (await run.textContent()) ?? '').toBe('completed');
  await expect(page.getByTestId('review-item')).toHaveCount(2);

  const stored = await h.evaluate(async ([d, t]) => {
    const [r] = await window.harness.syntheticRepo.listSynthesisRuns(d, t);
    return { run: r, imgs: await window.harness.syntheticRepo.syntheticImagesOfRun(r) };
  }, [ds.id, ds.taskId] as const);
  expect(stored.run.settings).toMatchObject({ model: { kind: 'store', modelId: 'builtin-demo-phantom-ldm' }, count: 2, steps: 6 });
  expect(stored.imgs).toHaveLength(2);
  for (const img of stored.imgs) {
    expect(img.origin).toBe('synthetic');
    // generated at the model's 256 px, stored at the source's size like a real model's output
    expect([img.width, img.height]).toEqual([64, 64]);
    expect(img.provenance.params.prompt).toMatch(/pneumonia/);
  }
  // The two sources differ, so do the images.
  expect(stored.imgs[0].id).not.toBe(stored.imgs[1].id);
});
