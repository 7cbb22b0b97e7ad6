// Datasets in real Chromium: imports through the Data page (folder picker, zip, a DICOM
// folder with a VinDr-style label table, bad files), the one-click synthetic-demo
// dataset, cancel + resume of an import job, reload persistence, and the split editor.
// Pixels are read back from IndexedDB through the harness and compared with values
// computed here from the DICOM standard, not from the decoder.
import { test, expect, harnessFor, openHarness, sharedRoot } from './fixtures';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encode as encodePng } from 'fast-png';
import type { Page } from '@playwright/test';
import { encodeRle16, TS, wordsToBytes, writeDicom, type DicomSpec } from '../unit/data/dicom-fixtures';

const KERMANY = join(sharedRoot, 'data/kermany-subset');
const kermanyFiles = ['NORMAL', 'PNEUMONIA'].flatMap((c) => readdirSync(join(KERMANY, 'train', c)).map((f) => `train/${c}/${f}`));
const DUPLICATES = [
  ['train/NORMAL/019.jpeg', 'train/NORMAL/020.jpeg'],
  ['train/NORMAL/093.jpeg', 'train/NORMAL/094.jpeg'],
  ['train/PNEUMONIA/019.jpeg', 'train/PNEUMONIA/020.jpeg'],
];

const tmp = () => mkdtempSync(join(tmpdir(), 'cxr-data-'));

async function openData(page: Page) {
  await page.goto('/#/data');
  await expect(page.getByTestId('import-panel')).toBeVisible();
}

/** Waits for the Data page's import report to show `files → images`. */
async function expectSummary(page: Page, files: number, images: number) {
  await expect(page.getByTestId('import-summary')).toContainText(`${files} files → ${images} distinct images`, { timeout: 120_000 });
}


async function datasetsInStorage(page: Page) {
  return (await harnessFor(page)).evaluate(async () => {
    const repo = window.harness.datasetRepo;
    const out = [];
    for (const d of await repo.listDatasets()) {
      const members = await repo.listDatasetImages(d.id);
      out.push({ record: d, members });
    }
    return out;
  });
}

test('Kermany subset as a folder and as a zip: 140 files, 137 images, 70/70 labels, 3 duplicate pairs; split editor; reload keeps it', async ({ page }) => {
  await openData(page);
  // A first-time user is offered the demo dataset.
  await expect(page.getByTestId('demo-panel')).toContainText('No data yet');

  await page.getByTestId('import-folder').setInputFiles(KERMANY);
  await expectSummary(page, 140, 137);
  await expect(page.getByTestId('duplicate')).toHaveCount(3);
  for (const [a, b] of DUPLICATES) await expect(page.getByTestId('duplicates')).toContainText(`kermany-subset/${a} = kermany-subset/${b}`);
  await expect(page.getByTestId('import-error')).toHaveCount(0);

  // Split editor: counts for the pneumonia task add up and the test split is locked.
  const rows = page.getByTestId('split-row');
  await expect(rows).toHaveCount(3);
  const totals = await page.getByTestId('split-total').allTextContents();
  expect(totals.map(Number).reduce((a, b) => a + b, 0)).toBe(137);
  await expect(page.getByTestId('test-locked')).toBeVisible();
  await expect(page.getByTestId('grid-count')).toHaveText('137 of 137');

  // The same files as a zip (built here with fflate) give the same images.
  const dir = tmp();
  const zipPath = join(dir, 'kermany.zip');
  writeFileSync(zipPath, zipSync(Object.fromEntries(kermanyFiles.map((p) => [`kermany-subset/${p}`, readFileSync(join(KERMANY, p))]))));
  await page.getByTestId('import-files').setInputFiles(zipPath);
  await expect(page.getByTestId('dataset-summary')).toContainText('kermany.zip', { timeout: 60_000 });
  await expectSummary(page, 140, 137);
  await expect(page.getByTestId('duplicate')).toHaveCount(3);

  const check = async () => {
    const sets = await datasetsInStorage(page);
    expect(sets).toHaveLength(2);
    for (const { record, members } of sets) {
      expect(record.status).toBe('ready');
      expect(members).toHaveLength(137);
      // Files per label, counting duplicates' extra paths: 70 normal, 70 pneumonia.
      const files = (label: string) => members.filter((m) => m.labels.join() === label).reduce((n, m) => n + 1 + (m.duplicatePaths?.length ?? 0), 0);
      expect([files('normal'), files('pneumonia')]).toEqual([70, 70]);
      expect(record.report.duplicates.map((d) => d.paths.map((p) => p.replace(/^.*?kermany-subset\//, '')))).toEqual(DUPLICATES);
      const split = record.splits.find((s) => s.taskId === 'pneumonia-vs-normal')!;
      expect(Object.keys(split.assignments)).toHaveLength(137);
    }
    // content-addressed: both datasets hold the same ids, pixels are stored once
    expect(sets[0].record.imageIds).toEqual(sets[1].record.imageIds);
    const h = await harnessFor(page);
    expect(await h.evaluate(() => window.harness.stores.pixels.keys().then((k) => k.length))).toBe(137);
    expect(await h.evaluate(() => window.harness.stores.thumbs.keys().then((k) => k.length))).toBe(137);
    return sets;
  };
  const before = await check();

  // A new seed re-splits deterministically; the counts still add up.
  await page.getByTestId('split-seed').fill('7');
  await page.getByTestId('split-apply').click();
  await expect.poll(async () => (await datasetsInStorage(page)).find((d) => d.record.id === before[0].record.id)?.record.splitConfig.seed).toBe(7);

  await page.reload();
  await expect(page.getByTestId('import-summary')).toContainText('140 files → 137 distinct images');
  await expect(page.getByTestId('demo-panel')).not.toContainText('No data yet');
  await check();
});

// --- DICOM fixtures (dcmjs), expected pixels from PS3.3 C.11.2.1.2.1 ---
const W = 16, H = 8;
const stored16 = Array.from({ length: W * H }, (_, i) => (i * 977 + (i % 7) * 4099) % 65536);
function linearWindow(x: number, c: number, w: number): number {
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}
const round8 = (y: number) => Math.min(255, Math.max(0, Math.round(y)));
const windowed = (c: number, w: number) => stored16.map((s) => round8(linearWindow(s, c, w)));
const minMax = () => {
  const lo = Math.min(...stored16), hi = Math.max(...stored16);
  return stored16.map((s) => round8(((s - lo) / (hi - lo)) * 255));
};
const invert = (v: number[]) => v.map((x) => 255 - x);
const spec = (over: Partial<DicomSpec>): DicomSpec => ({ transferSyntax: TS.explicitLE, rows: H, columns: W, bitsStored: 16, pixelData: wordsToBytes(stored16), ...over });

async function encodeJpegLs(values: number[]): Promise<ArrayBuffer> {
  const require = createRequire(import.meta.url);
  const CharLS = require('@cornerstonejs/codec-charls/wasmjs') as () => Promise<{
    JpegLSEncoder: new () => { getDecodedBuffer(f: object): Uint8Array; encode(): void; getEncodedBuffer(): Uint8Array; delete(): void };
  }>;
  const codec = await CharLS();
  const enc = new codec.JpegLSEncoder();
  enc.getDecodedBuffer({ width: W, height: H, bitsPerSample: 16, componentCount: 1 }).set(new Uint8Array(wordsToBytes(values)));
  enc.encode();
  const out = enc.getEncodedBuffer().slice();
  enc.delete();
  return out.buffer;
}

test('DICOM folder with a VinDr-style label table: MONOCHROME1/2, VOI window or none, RLE and JPEG-LS, decoded to the expected pixels', async ({ page }) => {
  const dir = join(tmp(), 'vindr');
  mkdirSync(dir);
  const cases: { stem: string; spec: DicomSpec; expected: number[] }[] = [
    { stem: 'a1', spec: spec({ photometric: 'MONOCHROME2', window: { center: 30000, width: 40000 }, patientId: 'P1' }), expected: windowed(30000, 40000) },
    { stem: 'a2', spec: spec({ photometric: 'MONOCHROME1', window: { center: 30000, width: 40000 }, patientId: 'P2' }), expected: invert(windowed(30000, 40000)) },
    { stem: 'a3', spec: spec({ photometric: 'MONOCHROME2', patientId: 'P3' }), expected: minMax() },
    { stem: 'a4', spec: spec({ photometric: 'MONOCHROME1', transferSyntax: TS.rle, pixelData: [encodeRle16(stored16)], patientId: 'P4' }), expected: invert(minMax()) },
    { stem: 'a5', spec: spec({ photometric: 'MONOCHROME2', transferSyntax: TS.jpegLs, pixelData: [await encodeJpegLs(stored16)], window: { center: 20000, width: 30000 }, patientId: 'P5' }), expected: windowed(20000, 30000) },
  ];
  // no extension on one file: PACS exports often have none
  for (const c of cases) writeFileSync(join(dir, c.stem === 'a3' ? c.stem : `${c.stem}.dcm`), writeDicom(c.spec));
  // VinDr-PCXR layout: image_id = file stem, one 0/1 column per finding (with its typo), several readers for a2.
  writeFileSync(
    join(dir, 'image_labels_train.csv'),
    [
      'image_id,rad_ID,No finding,Brocho-pneumonia,Pneumonia,Other disease',
      'a1,R1,0,1,0,0',
      'a2,R1,1,0,0,0',
      'a2,R2,0,0,1,0',
      'a3,R1,1,0,0,0',
      'a4,R3,0,0,1,0',
      'a5,R1,0,0,0,1',
      'missing9,R1,1,0,0,0',
    ].join('\n'),
  );

  await openData(page);
  await page.getByTestId('import-folder').setInputFiles(dir);
  await expectSummary(page, 5, 5);
  await expect(page.getByTestId('label-table-report')).toContainText('1 table key(s) match no imported file: missing9');
  await expect(page.getByTestId('label-table-report')).toContainText('disagreeing readers');

  const [{ record, members }] = await datasetsInStorage(page);
  const byStem = Object.fromEntries(members.map((m) => [m.sourcePath.split('/').pop()!.replace(/\.dcm$/, ''), m]));
  // any-positive (default): a finding outranks another reader's "No finding"
  expect(byStem.a1.labels).toEqual(['bronchopneumonia']);
  expect(byStem.a2.labels).toEqual(['pneumonia']);
  expect(byStem.a3.labels).toEqual(['normal']);
  expect(byStem.a4.labels).toEqual(['pneumonia']);
  expect(byStem.a5.labels).toEqual(['other-disease']);
  for (const m of members) expect(m.officialSplit).toBe('train'); // from the table's name
  expect(byStem.a4.original.transferSyntaxUid).toBe(TS.rle);
  expect(byStem.a5.original.transferSyntaxUid).toBe(TS.jpegLs);
  // Patient ids are stored only as salted hashes.
  expect(JSON.stringify({ record, members })).not.toMatch(/"P[1-5]"/);
  expect(new Set(members.map((m) => m.patientGroup)).size).toBe(5);

  for (const c of cases) {
    const px = await (await harnessFor(page)).evaluate((id) => window.harness.datasetRepo.readCanonicalPixels(id).then((g) => g && { w: g.width, h: g.height, p: Array.from(g.pixels) }), byStem[c.stem].id);
    expect(px, c.stem).toEqual({ w: W, h: H, p: c.expected });
  }
  // Bronchopneumonia task has its one positive (VinDr is where it lives).
  const broncho = record.splits.find((s) => s.taskId === 'bronchopneumonia-vs-normal')!;
  expect(Object.keys(broncho.assignments).sort()).toEqual([byStem.a1.id, byStem.a3.id].sort());
});

/** A PNG whose IHDR claims w×h (CRC not fixed: the size check comes first). */
function pngClaiming(w: number, h: number): Uint8Array {
  const out = encodePng({ width: 2, height: 2, data: new Uint8Array(4), depth: 8, channels: 1 }).slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, w);
  view.setUint32(20, h);
  return out;
}

test('one-click synthetic-demo dataset, then a folder of bad files: each error reported, good files imported, earlier data untouched', async ({ page }) => {
  await openData(page);
  await page.getByTestId('demo-panel').locator('summary').click();
  await page.getByTestId('demo-count').fill('24');
  await page.getByTestId('demo-create').click();
  await expectSummary(page, 24, 24);
  await expect(page.getByTestId('grid-cell').first()).toHaveAttribute('data-origin', 'synthetic-demo');
  await expect(page.getByTestId('split-row')).toHaveCount(3);
  const [demo] = await datasetsInStorage(page);
  expect(demo.record.origin).toBe('synthetic-demo');
  expect(demo.members.every((m) => m.origin === 'synthetic-demo' && m.provenance?.generator === 'demo-phantom@1')).toBe(true);
  expect(demo.members.filter((m) => m.labels[0] === 'pneumonia')).toHaveLength(5); // round(24 * 0.25 / 1.25)
  const pixelsBefore = await (await harnessFor(page)).evaluate(async (ids) => (await window.harness.stores.pixels.getMany(ids)).map((g) => Array.from((g as { pixels: Uint8Array }).pixels.slice(0, 64))), demo.record.imageIds);

  const dir = join(tmp(), 'bad');
  mkdirSync(dir);
  const jpeg = readFileSync(join(KERMANY, 'train/NORMAL/01.jpeg'));
  writeFileSync(join(dir, 'empty.png'), new Uint8Array(0));
  writeFileSync(join(dir, 'truncated.jpeg'), jpeg.subarray(0, 1500));
  writeFileSync(join(dir, 'corrupt.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
  writeFileSync(join(dir, 'notes.txt'), 'not an image at all\n');
  writeFileSync(join(dir, 'huge.png'), pngClaiming(30000, 30000));
  writeFileSync(join(dir, 'video.dcm'), writeDicom(spec({ transferSyntax: TS.mpeg2, pixelData: [new Uint8Array([0, 0, 1, 0xb3]).buffer] })));
  writeFileSync(join(dir, 'good1.jpeg'), jpeg);
  writeFileSync(join(dir, 'good2.jpeg'), readFileSync(join(KERMANY, 'train/PNEUMONIA/01.jpeg')));

  await page.getByTestId('import-folder').setInputFiles(dir);
  await expectSummary(page, 8, 2);
  const reasons = Object.fromEntries(await page.getByTestId('import-error').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-path')!.split('/').pop(), r.getAttribute('data-reason')])));
  expect(reasons).toEqual({
    'empty.png': 'empty',
    'truncated.jpeg': expect.stringMatching(/^(truncated|corrupt)$/),
    'corrupt.png': 'corrupt',
    'notes.txt': 'not-an-image',
    'huge.png': 'too-large',
    'video.dcm': 'unsupported-transfer-syntax',
  });

  const after = await datasetsInStorage(page);
  const demoAfter = after.find((d) => d.record.id === demo.record.id)!;
  expect(demoAfter.record).toEqual(demo.record);
  expect(demoAfter.members).toEqual(demo.members);
  const pixelsAfter = await (await harnessFor(page)).evaluate(async (ids) => (await window.harness.stores.pixels.getMany(ids)).map((g) => Array.from((g as { pixels: Uint8Array }).pixels.slice(0, 64))), demo.record.imageIds);
  expect(pixelsAfter).toEqual(pixelsBefore);
});

test('cancel then resume an import: finished files are skipped, not re-imported', async ({ page }) => {
  await openHarness(page);
  const out = await page.evaluate(async (paths) => {
    const h = window.harness;
    const files = await Promise.all(paths.map(async (p) => ({ path: `kermany-subset/${p}`, file: new File([(await h.fetchBytes(`/__shared__/data/kermany-subset/${p}`)) as Uint8Array<ArrayBuffer>], p.split('/').pop()!) })));
    // Small batches so there are checkpoints to resume from when the cancel lands.
    const first = h.startDataImport({ name: 'k', files, inFlight: 1, batchSize: 8 });
    let cancelError = '';
    const cancelled = first.result.catch((e: Error) => (cancelError = e.message));
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const ds = await h.datasetRepo.listDatasets();
      if (ds[0] && (await h.datasetRepo.listDatasetImages(ds[0].id)).length >= 40) break;
    }
    await first.cancel();
    await cancelled;
    const [ds] = await h.datasetRepo.listDatasets();
    const membersAtCancel = await h.datasetRepo.listDatasetImages(ds.id);
    const second = await h.startDataImport({ datasetId: ds.id, name: ds.name, files }).result;
    const membersAfter = await h.datasetRepo.listDatasetImages(ds.id);
    const again = Object.fromEntries(membersAfter.map((m) => [m.id, m.importedAt]));
    return {
      cancelError,
      statusAtCancel: ds.status,
      atCancel: membersAtCancel.length,
      unchangedImportTimes: membersAtCancel.every((m) => again[m.id] === m.importedAt),
      second: { skipped: second.skippedThisRun, processed: second.processedThisRun, images: second.report.images, files: second.report.files, duplicates: second.report.duplicates.length, resumedSkipped: second.report.resumedSkipped },
      status: (await h.datasetRepo.getDataset(ds.id))!.status,
    };
  }, kermanyFiles);
  expect(out.cancelError).toMatch(/cancel/i);
  expect(out.statusAtCancel).toBe('incomplete');
  expect(out.atCancel).toBeGreaterThanOrEqual(40);
  expect(out.second.skipped).toBeGreaterThanOrEqual(out.atCancel);
  expect(out.second.skipped + out.second.processed).toBe(140);
  expect(out.second).toMatchObject({ images: 137, files: 140, duplicates: 3 });
  expect(out.unchangedImportTimes).toBe(true);
  expect(out.status).toBe('ready');
});

test('relabel marks splits stale until a re-split; manifest export and apply report matches', async ({ page }) => {
  await openData(page);
  await page.getByTestId('demo-panel').locator('summary').click();
  await page.getByTestId('demo-count').fill('12');
  await page.getByTestId('demo-create').click();
  await expectSummary(page, 12, 12);

  await page.getByTestId('grid-cell').first().click();
  const id = await page.getByTestId('image-detail').getAttribute('data-image-id');
  await page.getByTestId('relabel-input').fill('bronchopneumonia');
  await page.getByTestId('relabel-save').click();
  await expect(page.getByTestId('split-stale')).toBeVisible();
  const h = await harnessFor(page);
  const [d] = await h.evaluate(() => window.harness.datasetRepo.listDatasets());
  const m = await h.evaluate(([ds, img]) => window.harness.datasetRepo.getDatasetImage(ds, img), [d.id, id!] as const);
  expect(m?.labels).toEqual(['bronchopneumonia']);
  expect(m?.relabelled?.from).toHaveLength(1);
  await page.getByTestId('split-apply').click();
  await expect(page.getByTestId('split-stale')).toHaveCount(0);

  const download = page.waitForEvent('download');
  await page.getByTestId('manifest-export').click();
  const file = await (await download).path();
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  expect(manifest.images).toHaveLength(12);
  expect(manifest.images.find((i: { id: string }) => i.id === id).labels).toEqual(['bronchopneumonia']);
  // A manifest naming one image this dataset lacks and missing one it has.
  manifest.images[0] = { ...manifest.images[0], id: 'f'.repeat(64) };
  for (const s of manifest.splits) {
    const assignments: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.assignments)) if (manifest.images.some((i: { id: string }) => i.id === k)) assignments[k] = v as string;
    s.assignments = assignments;
  }
  const edited = join(tmp(), 'edited.manifest.json');
  writeFileSync(edited, JSON.stringify(manifest));
  await page.getByTestId('manifest-import').setInputFiles(edited);
  await expect(page.getByTestId('manifest-report')).toContainText('11 images matched, 1 missing, 1 extra');
});
