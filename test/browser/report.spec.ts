// The report page end to end in real Chromium: import through the file input, numbers
// checked against counts made here in the test, bootstrap job to completion, HTML and JSON
// exports, re-import, and the exported HTML opened offline with every request recorded.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Download, Page } from '@playwright/test';
import { test, expect } from './fixtures';

const N = 20;
/** Positives p1..p20 and negatives n1..n20 with fixed, hand-made scores. */
function handMadeReport() {
  const test = (shift: number) => [
    ...Array.from({ length: N }, (_, i) => ({ imageId: `p${i + 1}`, label: 1, score: Math.round(100 * Math.min(0.99, 0.3 + 0.035 * i + shift)) / 100 })),
    ...Array.from({ length: N }, (_, i) => ({ imageId: `n${i + 1}`, label: 0, score: Math.round(100 * Math.max(0.01, 0.05 + 0.03 * i + shift / 2)) / 100 })),
  ];
  return {
    schemaVersion: 1,
    study: { title: 'Browser test report' },
    environment: { browser: 'hand-made', gpuAdapter: 'none', backends: ['cpu'], appVersion: 'test' },
    bootstrap: { resamples: 2000, seed: 11, confidence: 0.95 },
    tasks: [
      {
        id: 'pneumonia',
        name: 'Pneumonia vs normal',
        positiveClass: 'pneumonia',
        negativeClass: 'normal',
        dataSummary: { splits: { train: { positive: 120, negative: 40 }, test: { positive: N, negative: N } }, syntheticImagesAdded: 80 },
        thresholdPolicy: { policy: 'fixed', threshold: 0.5 },
        runs: [
          { id: 'baseline-s1', label: 'baseline', seed: 1, config: { epochs: 5 }, test: test(0), trainingCurve: [0, 1, 2].map((epoch) => ({ epoch, trainLoss: 0.7 - 0.1 * epoch, valAuroc: 0.7 + 0.05 * epoch })) },
          { id: 'augmented-s1', label: 'augmented', seed: 1, config: { epochs: 5, synthetic: 80 }, test: test(0.1) },
        ],
      },
    ],
  };
}

/** Sensitivity and specificity counted here, independently of the app's code. */
function expected(records: { label: number; score: number }[], threshold: number) {
  const pos = records.filter((r) => r.label === 1), neg = records.filter((r) => r.label === 0);
  return { sensitivity: pos.filter((r) => r.score >= threshold).length / pos.length, specificity: neg.filter((r) => r.score < threshold).length / neg.length };
}

const cell = (page: Page, metric: string, col: string) => page.getByTestId('metric-table').first().locator(`tr[data-metric="${metric}"] td[data-col="${col}"]`);

async function importFile(page: Page, name: string, body: string | Buffer) {
  await page.getByTestId('report-file-input').setInputFiles({ name, mimeType: name.endsWith('.html') ? 'text/html' : 'application/json', buffer: Buffer.isBuffer(body) ? body : Buffer.from(body) });
}

async function exportAs(page: Page, format: string): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${format}`).click()]);
  return download;
}

test('report page: import, recompute, bootstrap, export HTML/JSON, re-import, offline HTML', async ({ page, browser }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const report = handMadeReport();
  const base = expected(report.tasks[0].runs[0].test, 0.5);
  const aug = expected(report.tasks[0].runs[1].test, 0.5);
  // The scores were chosen so the arms differ; a wrong sign or swapped arm would show.
  expect(base.sensitivity).not.toBe(aug.sensitivity);

  await page.goto('/#/report');
  // An invalid file gives a clear list of problems.
  await importFile(page, 'broken.json', JSON.stringify({ ...report, tasks: [{ ...report.tasks[0], runs: [{ ...report.tasks[0].runs[0], seed: 'x' }] }] }));
  await expect(page.getByTestId('report-errors')).toContainText('tasks[0].runs[0].seed');

  await importFile(page, 'report.json', JSON.stringify(report));
  await expect(page.getByTestId('report-errors')).toHaveCount(0);
  await expect(page.getByTestId('report-title')).toHaveText('Browser test report');
  await expect(cell(page, 'sensitivity', 'baseline').locator('.value')).toHaveText(base.sensitivity.toFixed(3));
  await expect(cell(page, 'sensitivity', 'augmented').locator('.value')).toHaveText(aug.sensitivity.toFixed(3));
  await expect(cell(page, 'specificity', 'baseline').locator('.value')).toHaveText(base.specificity.toFixed(3));
  await expect(page.getByTestId('data-summary').locator('tr[data-split="train"]')).toContainText('3.00 : 1');
  await expect(page.getByTestId('synthetic-added')).toContainText('80');
  await expect(page.locator('[data-testid="chart"] canvas')).toHaveCount(4); // training, ROC, PR, forest

  // The bootstrap runs as a job in the stats worker; its CIs then appear in the table.
  await expect(page.getByTestId('report-stats-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.locator('[data-testid="job"][data-kind="report-bootstrap"]').first()).toHaveAttribute('data-status', 'succeeded');
  const sensCi = cell(page, 'sensitivity', 'baseline').locator('.ci');
  await expect(sensCi).toHaveText(/^\[\d\.\d{3}, \d\.\d{3}\]$/);
  const ciText = await sensCi.textContent();
  const [lo, hi] = ciText!.slice(1, -1).split(', ').map(Number);
  expect(lo).toBeLessThanOrEqual(base.sensitivity);
  expect(hi).toBeGreaterThanOrEqual(base.sensitivity);
  const pText = await cell(page, 'youden', 'p').textContent();
  expect(await cell(page, 'youden', 'p').getAttribute('title')).toMatch(/paired stratified bootstrap/);

  // Exports.
  const htmlDownload = await exportAs(page, 'html');
  const htmlPath = testInfo.outputPath('report.html');
  await htmlDownload.saveAs(htmlPath);
  const jsonDownload = await exportAs(page, 'json');
  const json = await readFile((await jsonDownload.path())!, 'utf8');
  expect(json).not.toMatch(/NaN|Infinity/);
  expect(JSON.parse(json).tasks[0].runs[0].test).toHaveLength(2 * N);

  const pdf = await readFile((await (await exportAs(page, 'pdf')).path())!);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  // Four chart PNGs are embedded as image XObjects.
  expect(pdf.toString('latin1').match(/\/Subtype \/Image/g)?.length).toBeGreaterThanOrEqual(4);
  if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: testInfo.outputPath('page.png'), fullPage: true });

  // Re-import the exported JSON: same numbers, same bootstrap intervals (same seed).
  await importFile(page, 'exported.json', json);
  await expect(page.getByTestId('saved-report')).toHaveCount(2);
  await expect(page.getByTestId('report-stats-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(cell(page, 'sensitivity', 'baseline').locator('.value')).toHaveText(base.sensitivity.toFixed(3));
  await expect(sensCi).toHaveText(ciText!);
  await expect(cell(page, 'youden', 'p')).toHaveText(pText!);
  expect(errors).toEqual([]);

  // The exported HTML opens with the network off and makes no request of any kind.
  const offline = await browser.newContext();
  await offline.setOffline(true);
  const requests: string[] = [];
  const fileUrl = pathToFileURL(htmlPath).href;
  // The document itself (a local file) is the only load allowed; everything else is
  // aborted and recorded. data: image URLs are decoded in place, not fetched.
  await offline.route('**/*', (route) => {
    if (route.request().url() === fileUrl) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  offline.on('request', (r) => {
    if (r.url() !== fileUrl && !r.url().startsWith('data:')) requests.push(r.url());
  });
  const view = await offline.newPage();
  await view.goto(fileUrl);
  await expect(view.locator('table.metric-table tr[data-metric="sensitivity"] td').first()).toContainText(base.sensitivity.toFixed(3));
  await expect(view.locator('table.metric-table tr[data-metric="sensitivity"] td').first()).toContainText(ciText!);
  const images = view.locator('figure[data-chart] img');
  await expect(images).toHaveCount(4);
  const decoded = await images.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
  expect(decoded).toEqual([true, true, true, true]);
  expect(requests).toEqual([]);
  if (process.env.REPORT_SCREENSHOT) await view.screenshot({ path: testInfo.outputPath('exported.png'), fullPage: true });
  await offline.close();
});

test('a plain labels/scores JSON becomes a report with this browser as its environment', async ({ page }) => {
  await page.goto('/#/report');
  const scores = Array.from({ length: 12 }, (_, i) => ({ label: i % 2, score: (i % 2 ? 0.55 : 0.3) + i * 0.01 }));
  await importFile(page, 'scores.json', JSON.stringify(scores));
  // A single run: a run table, no comparison. Every positive scores ≥ 0.56 and every negative < 0.5.
  const table = page.getByTestId('run-table');
  await expect(table.locator('tr[data-metric="sensitivity"] .value')).toHaveText('1.000');
  await expect(table.locator('tr[data-metric="specificity"] .value')).toHaveText('1.000');
  await expect(page.getByTestId('environment')).toContainText('Mozilla');
  await expect(page.getByTestId('report-stats-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(table.locator('tr[data-metric="auroc"] .ci')).toHaveText('[1.000, 1.000]');
});

test('the stats worker stops a bootstrap job between chunks when it is cancelled', async ({ page }) => {
  await page.goto('/test/browser/harness/index.html');
  await expect(page.locator('#ready')).toHaveText('ready');
  const outcome = await page.evaluate(async () => {
    const h = window.harness;
    const stats = h.stats();
    const n = 20_000;
    const labels = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const scores = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000);
    // Far more resamples than can finish before the cancel arrives (tens of seconds of work).
    const plan = { settings: { resamples: 50_000, seed: 1, confidence: 0.95 }, items: [{ key: 'r', kind: 'run' as const, runIds: ['r'], labels, models: [{ scores, threshold: 0.5 }] }] };
    const progress: number[] = [];
    let firstProgress!: () => void;
    const started = new Promise<void>((r) => (firstProgress = r));
    const t0 = performance.now();
    const job = stats.bootstrapReport('cancel-me', plan, h.proxy((p: { done: number }) => {
      progress.push(p.done);
      if (p.done > 0) firstProgress();
    }));
    await started;
    const cancelledAt = performance.now();
    const found = await stats.cancel('cancel-me');
    const error = await job.then(() => null, (e: Error) => e.name + ': ' + e.message);
    return { found, error, stoppedAfterMs: performance.now() - cancelledAt, totalMs: performance.now() - t0, lastDone: progress[progress.length - 1] };
  });
  expect(outcome.found).toBe(true);
  expect(outcome.error).toMatch(/cancel/i);
  expect(outcome.lastDone).toBeLessThan(50_000);
  // A chunk is about 100 resamples of 20,000 images: the job stops within a few seconds even on a loaded machine.
  expect(outcome.stoppedAfterMs).toBeLessThan(5_000);
});

test('classifier runs made in this browser become a report (baseline vs augmented, same test images)', async ({ page }) => {
  const n = 20;
  const test = (shift: number) =>
    Array.from({ length: n }, (_, i) => ({ imageId: `img-${i}`, label: i % 4 === 0 ? 1 : 0, score: i % 4 === 0 ? 0.35 + shift + i * 0.01 : 0.1 + i * 0.01 }));
  const validation = Array.from({ length: 8 }, (_, i) => ({ imageId: `val-${i}`, label: i % 2, score: i % 2 ? 0.6 : 0.2 }));
  const counts = { train: { positive: 10, negative: 40 }, val: { positive: 2, negative: 6 }, test: { positive: 5, negative: 15 } };
  const run = (id: string, arm: 'baseline' | 'augmented', shift: number, createdAt: number) => ({
    kind: 'classifier', id, arm, status: 'completed', jobId: `job-${id}`, createdAt, updatedAt: createdAt,
    datasetId: 'ds1', datasetName: 'Demo set', taskId: 'normal-vs-pneumonia', taskName: 'normal vs pneumonia',
    config: { seed: 3, inputSize: 150, trainableDepth: 'head' }, seed: 3, manifestHash: 'm', weights: { source: 'nsfwjs', description: 'd', hash: 'w', notes: [] },
    backend: { active: 'wasm', notes: [] }, counts: { ...counts, syntheticTrain: arm === 'augmented' ? 12 : 0, syntheticVal: arm === 'augmented' ? 3 : 0 },
    trainingCurve: [{ epoch: 1, trainLoss: 0.6, valLoss: 0.62 }], bestEpoch: 1, stoppedEarly: false, resumedAtEpoch: null,
    validation, test: test(shift), modelStored: false, seconds: 5,
  });
  await page.goto('/test/browser/harness/index.html');
  await expect(page.locator('#ready')).toHaveText('ready');
  await page.evaluate(async (runs) => {
    for (const r of runs) await window.harness.stores.runs.put(r.id, r);
  }, [run('r-base', 'baseline', 0, 1), run('r-aug', 'augmented', 0.2, 2)]);

  await page.goto('/#/report');
  const card = page.getByTestId('report-from-runs');
  await expect(card.getByRole('checkbox')).toHaveCount(2);
  await card.getByTestId('from-runs-policy').selectOption('fixed');
  await card.getByTestId('build-from-runs').click();
  await expect(page.getByTestId('report-title')).toContainText('Latent-diffusion augmentation');
  // At 0.5 the baseline finds the positives scoring ≥ 0.5 (0.35 + i/100 for i = 16 only), the augmented arm all of them
  // with scores ≥ 0.5 (0.55 + i/100, every i); computed here from the records, not by the app.
  const sens = (shift: number) => test(shift).filter((r) => r.label === 1 && r.score >= 0.5).length / 5;
  await expect(cell(page, 'sensitivity', 'baseline').locator('.value')).toHaveText(sens(0).toFixed(3));
  await expect(cell(page, 'sensitivity', 'augmented').locator('.value')).toHaveText(sens(0.2).toFixed(3));
  await expect(page.getByTestId('synthetic-added')).toContainText('15');
  await expect(page.getByTestId('saved-report').first()).toContainText('classifier runs in this browser');
});
