// Model manager in real Chromium: downloads from same-origin fixture URLs (nothing leaves
// the origin: the fixture fails any test that tries), resume with HTTP Range, verification
// failures, and local folder / zip imports through the Models page.
import { test, expect, openHarness, sharedRoot, sharedRequests } from './fixtures';
import { TINY_PIPELINE, tinyPipelineFolder } from './tiny-pipeline';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import type { Page } from '@playwright/test';
import type { ModelEntry } from '../../src/core/models/catalog';
import type { JobProgress } from '../../src/core/jobs';

const TINY = TINY_PIPELINE;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fileInfo = (rel: string) => {
  const b = readFileSync(resolve(sharedRoot, rel));
  return { bytes: b.length, sha256: sha256(b) };
};

function tinyEntry(id: string, files = TINY, pin = true): ModelEntry {
  return {
    id,
    kind: 'diffusion-pipeline',
    name: `Tiny SD-1.x test pipeline (${id})`,
    variant: 'fp32',
    requiresShaderF16: false,
    licence: 'test fixture',
    homepage: 'https://example.org/',
    source: 'shared fixtures',
    notes: '',
    files: files.map(([path, rel]) => ({ path, url: `/__shared__/${rel}`, ...(pin ? fileInfo(rel) : { bytes: fileInfo(rel).bytes }) })),
  };
}

const UNET = TINY.find(([p]) => p === 'unet/model.onnx')!;
const unetInfo = fileInfo(UNET[1]);

type DownloadOutcome = { ok: true; result: { resumedFiles: string[]; restartedFiles: string[]; bytesFetched: number } } | { ok: false; name: string; message: string };

/** Starts a download job in the models worker; progress lands in window.__progress[jobId]. */
async function startDownload(page: Page, jobId: string, entry: ModelEntry, opts: { maxBytesPerSecond?: number } = {}) {
  await page.evaluate(
    ({ jobId, entry, opts }) => {
      const w = window as unknown as { __progress: Record<string, unknown[]>; __jobs: Record<string, Promise<unknown>> };
      w.__progress ??= {};
      w.__jobs ??= {};
      w.__progress[jobId] = [];
      w.__jobs[jobId] = window.harness
        .models()
        .download(jobId, entry, opts, window.harness.proxy((p: unknown) => void w.__progress[jobId].push(p)))
        .then((result) => ({ ok: true, result }))
        .catch((e: Error) => ({ ok: false, name: e.name, message: e.message }));
    },
    { jobId, entry, opts },
  );
}

const outcome = (page: Page, jobId: string) => page.evaluate((id) => (window as unknown as { __jobs: Record<string, Promise<DownloadOutcome>> }).__jobs[id], jobId);
const progressOf = (page: Page, jobId: string) => page.evaluate((id) => (window as unknown as { __progress: Record<string, JobProgress[]> }).__progress[id], jobId);
const stored = (page: Page, id: string) => page.evaluate((id) => window.harness.modelStore.getModel(id), id);

/** SHA-256 of a stored file, read back from OPFS through the store's reader API. */
const storedSha = (page: Page, id: string, path: string) =>
  page.evaluate(async ({ id, path }) => {
    const bytes = await window.harness.modelStore.modelFileBytes(id, path);
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
    return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
  }, { id, path });

test('downloads a pipeline with byte progress, verifies every file and marks it ready', async ({ page }) => {
  await openHarness(page);
  const entry = tinyEntry('tiny-download');
  await startDownload(page, 'job-dl', entry);
  const r = await outcome(page, 'job-dl');
  expect(r).toMatchObject({ ok: true });

  const progress = await progressOf(page, 'job-dl');
  const total = entry.files.reduce((s, f) => s + f.bytes!, 0);
  const downloading = progress.filter((p) => p.stage === 'downloading');
  expect(downloading.length).toBeGreaterThan(2);
  expect(downloading.at(-1)).toMatchObject({ done: total, total });
  for (let i = 1; i < downloading.length; i++) expect(downloading[i].done).toBeGreaterThanOrEqual(downloading[i - 1].done);
  expect(downloading.some((p) => p.message.includes('unet/model.onnx'))).toBe(true);

  const rec = await stored(page, entry.id);
  expect(rec?.status).toBe('ready');
  expect(rec?.error).toBeNull();
  for (const f of entry.files) expect(rec?.files[f.path]).toMatchObject({ complete: true, bytes: f.bytes, sha256: f.sha256, check: 'sha256' });
  expect(await storedSha(page, entry.id, 'unet/model.onnx')).toBe(unetInfo.sha256);
  expect(sharedRequests.filter((q) => q.range !== null)).toEqual([]);

  // Downloading again fetches nothing: the model is ready.
  sharedRequests.length = 0;
  await startDownload(page, 'job-dl2', entry);
  expect(await outcome(page, 'job-dl2')).toMatchObject({ ok: true });
  expect(sharedRequests).toEqual([]);

  // Delete removes record and files.
  await page.evaluate((id) => window.harness.models().delete(id), entry.id);
  expect(await stored(page, entry.id)).toBeUndefined();
  const err = await page.evaluate((id) => window.harness.modelStore.modelFile(id, 'unet/model.onnx').then(() => '', (e: Error) => e.message), entry.id);
  expect(err).toContain('not ready');
});

/** Starts a throttled download, cancels once `atLeast` bytes of the file arrived; returns the kept partial size. */
async function cancelMidway(page: Page, entry: ModelEntry, jobId: string, atLeast: number): Promise<number> {
  await startDownload(page, jobId, entry, { maxBytesPerSecond: 2 * 1024 * 1024 });
  await expect.poll(async () => (await progressOf(page, jobId)).at(-1)?.done ?? 0, { timeout: 30_000 }).toBeGreaterThan(atLeast);
  const progress = await progressOf(page, jobId);
  expect(progress.some((p) => p.etaSeconds !== null && p.etaSeconds > 0)).toBe(true);
  expect(await page.evaluate((id) => window.harness.models().cancel(id), jobId)).toBe(true);
  const r = await outcome(page, jobId);
  expect(r).toMatchObject({ ok: false, name: 'JobCancelledError' });
  const rec = await stored(page, entry.id);
  expect(rec?.status).toBe('failed');
  expect(rec?.error).toContain('cancelled');
  const kept = await page.evaluate(({ id, path }) => window.harness.modelStore.partialSize(id, path), { id: entry.id, path: 'unet/model.onnx' });
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(unetInfo.bytes);
  return kept;
}

test('a cancelled download resumes with an HTTP Range request and re-hashes the kept part', async ({ page }) => {
  await openHarness(page);
  const entry = tinyEntry('tiny-resume', [UNET]);
  const kept = await cancelMidway(page, entry, 'job-cancel', 1024 * 1024);

  sharedRequests.length = 0;
  await startDownload(page, 'job-resume', entry);
  const r = await outcome(page, 'job-resume');
  expect(r).toMatchObject({ ok: true, result: { resumedFiles: ['unet/model.onnx'], restartedFiles: [], bytesFetched: unetInfo.bytes - kept } });
  expect(sharedRequests).toEqual([{ url: expect.stringContaining('/unet/model.onnx'), range: `bytes=${kept}-`, status: 206 }]);
  const progress = await progressOf(page, 'job-resume');
  expect(progress.some((p) => p.stage === 'checking the partial download')).toBe(true);
  expect((await stored(page, entry.id))?.status).toBe('ready');
  expect(await storedSha(page, entry.id, 'unet/model.onnx')).toBe(unetInfo.sha256);
});

test('when the server ignores Range (200 instead of 206) the file restarts and still verifies', async ({ page, context }) => {
  await openHarness(page);
  const entry = tinyEntry('tiny-norange', [UNET]);
  const body = readFileSync(resolve(sharedRoot, UNET[1]));
  const seen: (string | null)[] = [];
  // Registered after the fixture's route, so it runs first for this URL.
  await context.route('**/__shared__/fixtures/diffusion-tiny/unet/model.onnx', (route) => {
    seen.push(route.request().headers()['range'] ?? null);
    return route.fulfill({ status: 200, body, headers: { 'Content-Type': 'application/octet-stream', 'Cross-Origin-Resource-Policy': 'same-origin' } });
  });
  const kept = await cancelMidway(page, entry, 'job-cancel', 512 * 1024);
  await startDownload(page, 'job-restart', entry);
  expect(await outcome(page, 'job-restart')).toMatchObject({ ok: true, result: { resumedFiles: [], restartedFiles: ['unet/model.onnx'], bytesFetched: unetInfo.bytes } });
  expect(seen).toEqual([null, `bytes=${kept}-`]);
  expect(await storedSha(page, entry.id, 'unet/model.onnx')).toBe(unetInfo.sha256);
});

test('a corrupt file (wrong SHA-256) fails with a clear error and nothing is marked ready', async ({ page }) => {
  await openHarness(page);
  const entry = tinyEntry('tiny-corrupt');
  const wrong = 'ab'.repeat(32);
  entry.files.find((f) => f.path === 'vae_decoder/model.onnx')!.sha256 = wrong;
  await startDownload(page, 'job-corrupt', entry);
  const r = await outcome(page, 'job-corrupt');
  const actual = fileInfo('fixtures/diffusion-tiny/vae_decoder/model.onnx').sha256;
  expect(r).toMatchObject({ ok: false, name: 'ModelVerificationError' });
  const message = (r as { message: string }).message;
  expect(message).toContain('tiny-corrupt: file vae_decoder/model.onnx is corrupt or a different file');
  expect(message).toContain(`SHA-256 expected ${wrong}, got ${actual}`);
  const rec = await stored(page, entry.id);
  expect(rec?.status).toBe('failed');
  expect(rec?.error).toBe(message);
  expect(rec?.files['vae_decoder/model.onnx']).toBeUndefined();
  expect(await page.evaluate((id) => window.harness.modelStore.partialSize(id, 'vae_decoder/model.onnx'), entry.id)).toBe(0);
  const err = await page.evaluate((id) => window.harness.modelStore.modelFile(id, 'unet/model.onnx').then(() => '', (e: Error) => e.message), entry.id);
  expect(err).toContain('is not ready: its status is "failed"');
});

test('a size that does not match the catalog fails with expected vs actual bytes', async ({ page }) => {
  await openHarness(page);
  const entry = tinyEntry('tiny-size', [UNET], false);
  entry.files[0].bytes = unetInfo.bytes + 1000;
  await startDownload(page, 'job-size', entry);
  const r = await outcome(page, 'job-size');
  expect(r).toMatchObject({ ok: false, name: 'ModelVerificationError' });
  expect((r as { message: string }).message).toContain(
    `tiny-size: unet/model.onnx: size mismatch — the catalog says ${(unetInfo.bytes + 1000).toLocaleString('en-US')} bytes but 127.0.0.1`,
  );
  expect((r as { message: string }).message).toContain(`serves ${unetInfo.bytes.toLocaleString('en-US')} bytes`);
  expect((await stored(page, entry.id))?.status).toBe('failed');
});

test('a transfer cut short keeps the received part and says so; unpinned hashes are recorded', async ({ page, context }) => {
  await openHarness(page);
  const entry = tinyEntry('tiny-short', [UNET], false);
  const body = readFileSync(resolve(sharedRoot, UNET[1]));
  let first = true;
  await context.route('**/__shared__/fixtures/diffusion-tiny/unet/model.onnx', async (route) => {
    if (!first) return route.fallback();
    first = false;
    // Half the body under a header announcing all of it: the connection "drops".
    return route.fulfill({ status: 200, body: body.subarray(0, 3_000_000), headers: { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream', 'Cross-Origin-Resource-Policy': 'same-origin' } });
  });
  await startDownload(page, 'job-short', entry);
  const r = await outcome(page, 'job-short');
  expect(r).toMatchObject({ ok: false });
  expect((r as { message: string }).message).toMatch(/tiny-short: unet\/model\.onnx: (the transfer from .* ended after|the connection to .* failed after)/);
  expect((r as { message: string }).message).toContain('Resume continues from there');
  expect((await stored(page, entry.id))?.status).toBe('failed');

  const kept = await page.evaluate(({ id, path }) => window.harness.modelStore.partialSize(id, path), { id: entry.id, path: 'unet/model.onnx' });
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThanOrEqual(3_000_000);
  sharedRequests.length = 0;
  await startDownload(page, 'job-short2', entry);
  expect(await outcome(page, 'job-short2')).toMatchObject({ ok: true, result: { resumedFiles: ['unet/model.onnx'], bytesFetched: unetInfo.bytes - kept } });
  expect(sharedRequests).toEqual([{ url: expect.stringContaining('/unet/model.onnx'), range: `bytes=${kept}-`, status: 206 }]);
  const rec = await stored(page, entry.id);
  expect(rec?.files['unet/model.onnx']).toMatchObject({ complete: true, check: 'size', sha256: unetInfo.sha256 });
});

const tinyFolder = (layout: [string, string][]) => tinyPipelineFolder(layout);

test('the Models page lists the catalog and contacts no host until asked', async ({ page }) => {
  await page.goto('/#/models');
  const cards = page.getByTestId('model-card');
  await expect(cards).toHaveCount(6);
  const keras = page.locator('[data-model-id="keras-inception-v3-notop"]');
  await expect(keras.getByTestId('model-size')).toContainText('83.8 MB');
  await expect(keras.getByTestId('model-hosts')).toHaveText('contacts storage.googleapis.com');
  await expect(keras.getByTestId('model-status')).toHaveText('not downloaded');
  const sd15 = page.locator('[data-model-id="sd15-onnx-fp32"]');
  await expect(sd15.getByTestId('model-verification')).toContainText('hash not pinned: verified against the size only, SHA-256 recorded on first download');
  await expect(sd15.getByTestId('model-hosts')).toContainText('huggingface.co');
  await expect(page.locator('[data-model-id="lcm-dreamshaper-v7-onnx-fp32"]').getByTestId('model-verification')).toContainText('(1 of 15 files have a pinned hash)');
  await expect(page.locator('[data-model-id="sd-turbo-onnx-fp16"]').getByTestId('model-f16')).toContainText(/required/);
  // SwiftShader has no shader-f16: once the adapter is known the card says the fp16 variant cannot run.
  await expect(page.locator('[data-model-id="sd-turbo-onnx-fp16"]').getByTestId('model-f16')).toContainText('lacks shader-f16', { timeout: 120_000 });
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toMatch(/connect-src 'self' blob: data: https:\/\/huggingface\.co .*https:\/\/storage\.googleapis\.com/);
});

test('a local folder import of the tiny pipeline is verified against the layout and becomes ready', async ({ page }) => {
  const folder = tinyFolder(TINY);
  await page.goto('/#/models');
  await page.getByTestId('import-name').fill('tiny from folder');
  await page.getByTestId('import-folder').setInputFiles(folder);
  await expect(page.getByTestId('import-result')).toContainText(`Imported ${TINY.length} files`, { timeout: 60_000 });
  const local = page.getByTestId('local-model');
  await expect(local).toHaveAttribute('data-status', 'ready');
  const id = (await local.getAttribute('data-model-id'))!;
  expect(id).toMatch(/^local-tiny-from-folder-/);
  await openHarness(page);
  const rec = await stored(page, id);
  expect(rec).toMatchObject({ origin: 'local', status: 'ready', layout: { tokenizer: 'vocab+merges' } });
  for (const [path, rel] of TINY) expect(rec?.files[path]).toMatchObject({ complete: true, ...fileInfo(rel) });
  expect(await storedSha(page, id, 'unet/model.onnx')).toBe(unetInfo.sha256);
});

test('a zip of the pipeline imports through the streaming unzip', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'cxr-zip-'));
  const zipPath = join(dir, 'tiny-sd.zip');
  const files: Record<string, Uint8Array> = {};
  for (const [dest, rel] of TINY) files[`tiny-sd/${dest}`] = readFileSync(resolve(sharedRoot, rel));
  files['__MACOSX/._junk'] = new Uint8Array([1, 2, 3]);
  writeFileSync(zipPath, zipSync(files, { level: 6 }));
  await page.goto('/#/models');
  await page.getByTestId('import-name').fill('tiny from zip');
  await page.getByTestId('import-file').setInputFiles(zipPath);
  await expect(page.getByTestId('import-result')).toContainText(`Imported ${TINY.length} files`, { timeout: 60_000 });
  const id = (await page.getByTestId('local-model').getAttribute('data-model-id'))!;
  await openHarness(page);
  const rec = await stored(page, id);
  for (const [path, rel] of TINY) expect(rec?.files[path]).toMatchObject({ complete: true, ...fileInfo(rel) });
});

test('a wrongly named layout is refused with a message saying what to rename, and nothing is stored', async ({ page }) => {
  const layout = TINY.map(([dest, rel]): [string, string] => [dest === 'unet/model.onnx' ? 'unet.onnx' : dest, rel]);
  const folder = tinyFolder(layout);
  await page.goto('/#/models');
  await page.getByTestId('import-folder').setInputFiles(folder);
  const error = page.getByTestId('models-error');
  await expect(error).toContainText('Import failed: Not a diffusers ONNX pipeline folder: unet/model.onnx is missing (the unet ONNX graph) but "unet.onnx" is present: move or rename it to "unet/model.onnx".');
  await expect(page.getByTestId('local-model')).toHaveCount(0);
  await openHarness(page);
  expect(await page.evaluate(() => window.harness.modelStore.listModels())).toEqual([]);
});

test('running out of storage mid-download or mid-import says so (not a network error) and marks nothing ready', async ({ page }) => {
  await page.goto('/#/models');
  // Chromium's DevTools protocol shrinks this origin's quota to 4 MB: writes past it fail as on
  // a full disk. (estimate() does not report the override, so the up-front space check that
  // uses it — core/models/space.ts, unit-tested — is not what stops these.)
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 4 * 1024 * 1024 });
  await openHarness(page);
  await startDownload(page, 'quota-dl', tinyEntry('tiny-quota'));
  const out = await outcome(page, 'quota-dl');
  expect(out).toMatchObject({ ok: false, name: 'StorageFullError' });
  expect(out.ok === false && out.message).toMatch(/^Not enough local storage to save model file tiny-quota\/.*Nothing already stored was changed/);
  expect(out.ok === false && out.message).not.toContain('connection');
  const rec = await stored(page, 'tiny-quota');
  expect(rec?.status).toBe('failed');
  expect(rec?.error).toContain('Not enough local storage');

  await page.goto('/#/models');
  await page.getByTestId('import-name').fill('too big');
  await page.getByTestId('import-folder').setInputFiles(tinyFolder(TINY));
  await expect(page.getByTestId('models-error')).toContainText('Not enough local storage', { timeout: 60_000 });
  await expect(page.getByTestId('local-model')).toHaveCount(0);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
});
