// The synthesis workflow end to end through the UI, as a user clicks it: a small demo
// dataset (Data page), the tiny SD-1.x fixture pipeline imported as a local folder (Models
// page), a 2-image synthesis run (Synthesis page), review (accept one, reject one), the
// augmented arm seeing exactly the accepted image, and the quality panel (FID/KID,
// diversity, memorisation from Inception-V3 pooled features of nsfwjs weights served from
// our origin). Storage is read back through a harness page of the same origin.
import { test, expect, harnessFor } from './fixtures';
import { importTinyPipeline } from './tiny-pipeline';

const finite = (s: string) => {
  const m = /-?\d+(\.\d+)?(e[+-]?\d+)?/i.exec(s);
  return m ? Number(m[0]) : NaN;
};

test('Data → Models → Synthesis: 2 images generated, one accepted and one rejected, augmented arm sees the accepted one, quality measured', async ({ page }) => {
  test.setTimeout(600_000);
  const t0 = Date.now();
  const lap = (() => {
    let last = t0;
    const laps: Record<string, number> = {};
    return Object.assign((name: string) => {
      const now = Date.now();
      laps[name] = (now - last) / 1000;
      last = now;
    }, { laps });
  })();

  // 1. Demo dataset: 16 images of 64 px, one positive per two normals.
  await page.goto('/#/data');
  await page.getByTestId('demo-panel').locator('summary').click();
  await page.getByTestId('demo-count').fill('16');
  await page.getByLabel('size (px)').fill('64');
  await page.getByTestId('demo-ratio').fill('0.5');
  await page.getByTestId('demo-create').click();
  await expect(page.getByTestId('import-summary')).toContainText('16 files → 16 distinct images', { timeout: 120_000 });
  lap('demo dataset');

  // 2. The tiny pipeline as a local folder.
  const modelId = await importTinyPipeline(page, 'tiny ui', 'cxr-synui-');
  lap('model import');

  // 3. Synthesis page: model, dataset, task, N = 2, 2 steps.
  await page.goto('/#/synthesis');
  const settings = page.getByTestId('synthesis-settings');
  await settings.getByLabel('Model').selectOption(modelId);
  const h = await harnessFor(page);
  const ds = await h.evaluate(async () => {
    const [d] = await window.harness.datasetRepo.listDatasets();
    const task = d.tasks.find((t) => t.positiveFinding === 'pneumonia')!;
    return { id: d.id, taskId: task.id };
  });
  await settings.getByLabel('Dataset').selectOption(ds.id);
  await settings.getByLabel('Task').selectOption(ds.taskId);
  await settings.getByLabel('Images (N normal training sources)').fill('2');
  await settings.getByLabel('Steps').fill('2');
  await expect(settings.getByLabel('Prompt', { exact: true })).toHaveValue(/pneumonia/);
  await page.getByTestId('synthesis-start').click();
  const run = page.getByTestId('synthesis-run');
  await expect(run).toHaveCount(1);
  await expect(run).toHaveAttribute('data-status', /^(completed|failed|cancelled)$/, { timeout: 240_000 });
  expect(await run.getAttribute('data-status'), (await run.textContent()) ?? '').toBe('completed');
  await expect(run).toContainText('2 / 2');
  await expect(page.getByTestId('synthesis-error')).toHaveCount(0);
  const items = page.getByTestId('review-item');
  await expect(items).toHaveCount(2);
  await expect(page.getByTestId('review-counts')).toHaveText('2 pending · 0 accepted · 0 rejected');
  lap('synthesis (2 images, 2 steps)');

  const stored = await h.evaluate(async ([d, t]) => {
    const [r] = await window.harness.syntheticRepo.listSynthesisRuns(d, t);
    const imgs = await window.harness.syntheticRepo.syntheticImagesOfRun(r);
    return { run: r, imgs };
  }, [ds.id, ds.taskId] as const);
  expect(stored.run.status).toBe('completed');
  expect(stored.run.settings).toMatchObject({ model: { kind: 'store', modelId }, count: 2, steps: 2 });
  expect(stored.imgs.map((i) => i.provenance.params.modelSource)).toEqual(['store', 'store']);
  // The provider left at its default (Settings: automatic), which picks wasm on SwiftShader.
  expect(stored.run.settings.provider).toBe('auto');
  const backend = stored.imgs[0].provenance.params.backend;
  expect(stored.imgs.map((i) => i.provenance.params.backend)).toEqual([stored.run.pipeline!.providers, stored.run.pipeline!.providers]);

  // 4. Review: accept the first, reject the second.
  await items.nth(0).getByTestId('review-accept').click();
  await expect(items.nth(0)).toHaveAttribute('data-status', 'accepted');
  await items.nth(1).getByTestId('review-reject').click();
  await expect(items.nth(1)).toHaveAttribute('data-status', 'rejected');
  await expect(page.getByTestId('review-counts')).toHaveText('0 pending · 1 accepted · 1 rejected');
  const acceptedId = stored.imgs.find((i) => i.id === stored.run.outputs[0])?.id;
  const review = await h.evaluate(async ([d, t]) => ({
    repo: (await window.harness.syntheticRepo.acceptedSyntheticImages(d, t)).map((x) => x.id),
    classifier: (await window.harness.classifierRuns.acceptedSyntheticImages(d, t)).map((x) => x.id),
  }), [ds.id, ds.taskId] as const);
  const shownFirst = await items.nth(0).locator('figcaption').nth(1).textContent();
  expect(shownFirst).toContain('SYNTHETIC');
  expect(review.repo).toHaveLength(1);
  expect(review.classifier).toEqual(review.repo);
  expect(review.repo[0]).toBe(acceptedId);

  // 5. Quality. The default set is the accepted images: one is too few, and the page says so.
  lap('review');
  await expect(page.getByTestId('quality-panel').getByLabel('Measure')).toHaveValue('accepted');
  await page.getByTestId('quality-run').click();
  await expect(page.getByTestId('synthesis-error')).toHaveText('quality needs at least 2 accepted synthetic images (this run has 1)');
  await expect(page.getByTestId('quality-run')).toBeEnabled();
  // All images of the run: 2 synthetic vs the task's real training images.
  await page.getByTestId('quality-panel').getByLabel('Measure').selectOption('all');
  await page.getByTestId('quality-run').click();
  await expect(page.getByTestId('quality-run')).toHaveText('Measuring…');
  await expect(page.getByTestId('quality-table')).toBeVisible({ timeout: 420_000 });
  lap('quality (features + report)');
  await expect(page.getByTestId('synthesis-error')).toHaveCount(0);
  const table = page.getByTestId('quality-table');
  const fid = finite((await page.getByTestId('quality-fid').textContent())!);
  expect(Number.isFinite(fid)).toBe(true);
  expect(fid).toBeGreaterThanOrEqual(0);
  const rowText = async (name: string) => (await table.locator('tr', { has: page.locator('th', { hasText: name }) }).locator('td').textContent())!;
  const kid = await rowText('KID');
  const diversity = await rowText('Diversity');
  const memo = await rowText('Memorisation');
  const features = await rowText('Features');
  expect(Number.isFinite(finite(kid))).toBe(true);
  expect(kid).not.toMatch(/NaN|Infinity/);
  expect(diversity).toMatch(/^synthetic \d+\.\d+ vs real positives \d+\.\d+ \(ratio \d+\.\d+\)$/);
  expect(memo).toMatch(/^\d+ near-copies \(threshold \d+\.\d+\)$/);
  expect(await rowText('Images')).toContain('2 synthetic (all)');
  // Per image: the nearest real training image, shown in the gallery.
  const near = page.getByTestId('review-near-copy');
  await expect(near).toHaveCount(2);
  for (const t of await near.allTextContents()) expect(t).toMatch(/(nearest real|near-copy of a real training image): distance \d+\.\d+ \(\d+\.\d+× median real NN\)/);

  const q = await h.evaluate(async (runId) => (await window.harness.syntheticRepo.getSynthesisRun(runId))!.quality!, stored.run.id);
  const real = await h.evaluate(async ([d, t]) => (await window.harness.datasetRepo.imagesForTask(d, t, 'train')).map((x) => x.id), [ds.id, ds.taskId] as const);
  for (const v of [q.fid.fid, q.kid.kid, q.kid.sd, q.diversity.synthetic, q.diversity.realPositive, q.diversity.ratio, q.memorisation.threshold]) expect(Number.isFinite(v)).toBe(true);
  expect(q.syntheticIds.sort()).toEqual(stored.imgs.map((i) => i.id).sort());
  expect(q.memorisation.perImage).toHaveLength(2);
  for (const p of q.memorisation.perImage) {
    expect(real).toContain(p.nearestRealId);
    expect(Number.isFinite(p.distance)).toBe(true);
  }
  console.log(JSON.stringify({ timingsSeconds: lap.laps, totalSeconds: (Date.now() - t0) / 1000, synthesisBackend: backend, features, realTrain: q.realTrainCount, fid: q.fid.fid, kid: q.kid.kid }));

  // The augmented arm offers exactly the accepted image.
  await page.goto('/#/augmented');
  await expect(page.getByTestId('classifier-page-augmented')).toContainText('1 accepted synthetic image(s) will be added.');
});
