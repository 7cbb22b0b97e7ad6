// Import benchmark (node test/bench/browser-bench.mjs import [demo=N]): the Kermany subset
// read as File objects in headless Chromium, first decoded only (decodeFile on each file,
// one after another, in the data worker: the raw decode rate), then imported as the app
// does (decode, thumbnail, dedupe, batched IndexedDB writes, checkpoints, labels, splits).
// Prints both rates and the data worker's peak JS heap, sampled over CDP (workers have
// no performance.memory). `demo=N` also times an N-image synthetic-demo dataset job, the
// same writer path at scale (e.g. demo=10000).
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const KERMANY = resolve(import.meta.dirname, '../../../shared/data/kermany-subset');

/** Samples the used JS heap of the page's dedicated workers through a CDP session (non-flat attach). */
async function workerHeapSampler(page) {
  const session = await page.context().newCDPSession(page);
  const workers = new Map(); // sessionId -> url
  const pending = new Map();
  let nextId = 1;
  session.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.set(e.sessionId, e.targetInfo.url);
  });
  session.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    const p = pending.get(msg.id);
    if (p) {
      pending.delete(msg.id);
      p(msg.result);
    }
  });
  await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const heapOf = (sessionId) =>
    new Promise((res) => {
      const id = nextId++;
      pending.set(id, res);
      session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => res(null));
      setTimeout(() => res(null), 2000);
    });
  let peak = 0;
  let withBacking = false;
  let timer = null;
  return {
    start() {
      peak = 0;
      timer = setInterval(async () => {
        for (const sid of workers.keys()) {
          const r = await heapOf(sid);
          // usedSize is the V8 heap; backingStorageSize (newer Chromium) adds ArrayBuffer
          // backing stores, where decoded pixels live.
          const used = r ? r.usedSize + (r.backingStorageSize ?? 0) : 0;
          if (used > peak) peak = used;
          if (r && r.backingStorageSize !== undefined) withBacking = true;
        }
      }, 100);
    },
    stop() {
      clearInterval(timer);
      return peak;
    },
    count: () => workers.size,
    what: () => (withBacking ? 'V8 heap + ArrayBuffer backing stores' : 'V8 heap only; ArrayBuffer backing stores not reported by this Chromium'),
  };
}

const mb = (b) => (b / 2 ** 20).toFixed(1);

export async function run({ page, log, args }) {
  const demoCount = Number(args.find((a) => a.startsWith('demo='))?.slice(5) ?? 0);
  const paths = ['NORMAL', 'PNEUMONIA'].flatMap((c) => readdirSync(join(KERMANY, 'train', c)).map((f) => `train/${c}/${f}`));
  const heap = await workerHeapSampler(page);

  // Files in page memory, as a folder picker would give them; the worker is started and its codecs loaded on 4 files.
  await page.evaluate(async (paths) => {
    const h = window.harness;
    window.__files = await Promise.all(paths.map(async (p) => ({ path: `kermany-subset/${p}`, file: new File([await h.fetchBytes(`/__shared__/data/kermany-subset/${p}`)], p.split('/').pop()) })));
    await h.data().decodeRate(window.__files.slice(0, 4));
  }, paths);
  log(`files: ${paths.length} (Kermany subset, 640×640 RGB JPEG) · data workers attached for heap sampling: ${heap.count()}`);

  heap.start();
  const raw = await page.evaluate(() => window.harness.data().decodeRate(window.__files));
  const rawPeak = heap.stop();
  log(`raw decode (read + decodeFile, sequential, no storage): ${raw.decoded} images in ${raw.seconds.toFixed(2)} s = ${raw.imagesPerSecond.toFixed(1)} images/s · worker peak heap ${mb(rawPeak)} MiB`);

  heap.start();
  const imp = await page.evaluate(async () => {
    const t0 = performance.now();
    const r = await window.harness.startDataImport({ name: 'bench', files: window.__files }).result;
    return { wall: (performance.now() - t0) / 1000, files: r.report.files, images: r.report.images, errors: r.report.errors.length, duplicates: r.report.duplicates.length };
  });
  const impPeak = heap.stop();
  const rate = imp.files / imp.wall;
  log(`full import (job: decode + thumbnail + dedupe + IndexedDB batches + checkpoints + splits): ${imp.files} files → ${imp.images} images (${imp.duplicates} duplicate groups, ${imp.errors} errors) in ${imp.wall.toFixed(2)} s = ${rate.toFixed(1)} files/s · worker peak heap ${mb(impPeak)} MiB`);
  log(`heap figures: ${heap.what()}`);
  log(`full import / raw decode = ${(rate / raw.imagesPerSecond).toFixed(2)} (target ≥ 0.5)`);
  const pageHeap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
  if (pageHeap) log(`page JS heap after import (holds the ${paths.length} File objects' bytes): ${mb(pageHeap)} MiB`);

  if (demoCount > 0) {
    heap.start();
    const demo = await page.evaluate(async (count) => {
      const t0 = performance.now();
      const r = await window.harness.startDemoDataset({ count, size: 256, classRatio: 0.1, seed: 3 }).result;
      return { wall: (performance.now() - t0) / 1000, images: r.report.images };
    }, demoCount);
    const demoPeak = heap.stop();
    log(`synthetic-demo dataset: ${demo.images} images (256 px, generated + stored) in ${demo.wall.toFixed(1)} s = ${(demo.images / demo.wall).toFixed(1)} images/s · worker peak heap ${mb(demoPeak)} MiB`);
    const t0 = Date.now();
    const n = await page.evaluate(async () => {
      const [d] = await window.harness.datasetRepo.listDatasets();
      return (await window.harness.datasetRepo.imagesForTask(d.id, 'pneumonia-vs-normal', 'train', 'training')).length;
    });
    log(`imagesForTask(train) over the demo dataset: ${n} images in ${Date.now() - t0} ms`);
  }
}
