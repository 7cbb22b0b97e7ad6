#!/usr/bin/env node
// `npm run bench:large-weights`: checks and times the path SD-1.5's 3.4 GB unet/weights.pb
// takes — a pipeline whose UNet keeps more than 2 GiB of weights in an external file, stored
// in OPFS and loaded through the app's diffusion runtime (the file goes to ORT as a blob:
// URL; a Blob above ~2 GiB cannot be read into one ArrayBuffer). The pipeline is the
// built-in demo one with LARGE_WEIGHTS_GIB (default 2.25) of extra weights, split into
// 256 MiB tensors as exporters split a real UNet, read by Gather × 0 so the output is
// unchanged. Uses a persistent browser profile: a private one caps storage near 1.4 GB.
// Per provider (LARGE_WEIGHTS_PROVIDERS, default "webgpu,wasm"): load time and one image.
import { chromium } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const PIECE = 256 * 1024 * 1024;
const pieces = Math.round((Number(process.env.LARGE_WEIGHTS_GIB ?? 2.25) * 1024 ** 3) / PIECE);
const providers = (process.env.LARGE_WEIGHTS_PROVIDERS ?? 'webgpu,wasm').split(',');
const port = Number(process.env.BENCH_PORT ?? 4391);
const outDir = process.env.TEST_OUT_DIR ?? 'dist-bench';

const imp = async (p) => (await runnerImport(new URL(p, import.meta.url).pathname, { configFile: false, logLevel: 'error' })).module;
const demo = await imp('../../src/ml/diffusion/demo-model/index.ts');
const { OnnxType, lengthDelimited: ld, nodeProto, tensorProto } = await imp('../../src/ml/onnx-builder/onnx-graph.ts');
const { concatBytes, protoFields, protoString } = await imp('../../src/ml/onnx-builder/proto-fields.ts');

const enc = new TextEncoder();
const str = (f, s) => ld(f, enc.encode(s));
const varint = (v) => {
  const o = [];
  for (; v > 127; v = Math.floor(v / 128)) o.push((v % 128) | 128);
  o.push(v);
  return Uint8Array.from(o);
};
const vi = (field, v) => concatBytes([varint(field * 8), varint(v)]);
const entry = (k, v) => ld(13, concatBytes([str(1, k), str(2, v)]));
const externalTensor = (name, offset) =>
  concatBytes([vi(1, PIECE / 4), vi(2, OnnxType.float), str(8, name), entry('location', 'weights.pb'), entry('offset', String(offset)), entry('length', String(PIECE)), vi(14, 1)]);

// The demo UNet with `pieces` external tensors feeding out_sample through Gather × 0.
const { files } = demo.buildDemoPipeline();
const mf = protoFields(files['unet/model.onnx']);
const gf = mf.find((f) => f.field === 7);
const parts = protoFields(gf.body).map((f) => {
  const nf = f.field === 1 ? protoFields(f.body) : null;
  if (!nf?.some((x) => x.field === 2 && protoString(x) === 'out_sample')) return f.raw;
  return ld(1, concatBytes(nf.map((x) => (x.field === 2 ? str(2, 'out_pre') : x.field === 3 ? str(3, 'final_add_renamed') : x.raw))));
});
parts.push(ld(5, tensorProto('big_idx', [1], BigInt64Array.of(12345n))), ld(5, tensorProto('big_zero', [1], Float32Array.of(0))));
let acc = 'out_pre';
for (let k = 0; k < pieces; k++) {
  const out = k === pieces - 1 ? 'out_sample' : `acc_${k}`;
  parts.push(
    ld(5, externalTensor(`big_${k}`, k * PIECE)),
    ld(1, nodeProto('Gather', [`big_${k}`, 'big_idx'], [`pick_${k}`], { axis: 0 })),
    ld(1, nodeProto('Mul', [`pick_${k}`, 'big_zero'], [`zeroed_${k}`])),
    ld(1, nodeProto('Add', [acc, `zeroed_${k}`], [out])),
  );
  acc = out;
}
files['unet/model.onnx'] = concatBytes(mf.map((f) => (f === gf ? ld(7, concatBytes(parts)) : f.raw)));

const build = spawnSync('npx', ['vite', 'build', '--mode', 'test', '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, TEST_OUT_DIR: outDir } });
if (build.status !== 0) process.exit(build.status ?? 1);
const server = spawn('npx', ['vite', 'preview', '--mode', 'test', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
const profile = mkdtempSync(join(tmpdir(), 'cxr-large-weights-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await context.newPage();
  for (let i = 0; i < 100; i++) {
    try {
      await page.goto(`http://127.0.0.1:${port}/test/browser/harness/index.html`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  console.log(`UNet with ${pieces} × 256 MiB = ${((pieces * PIECE) / 1024 ** 3).toFixed(2)} GiB of external weights (unet/weights.pb), stored in OPFS`);
  const t0 = Date.now();
  await page.evaluate(
    async ({ payload, pieces, PIECE }) => {
      const root = await navigator.storage.getDirectory();
      const open = async (path) => {
        let d = await (await root.getDirectoryHandle('models', { create: true })).getDirectoryHandle('large-weights', { create: true });
        const segs = path.split('/');
        const name = segs.pop();
        for (const s of segs) d = await d.getDirectoryHandle(s, { create: true });
        return (await d.getFileHandle(name, { create: true })).createWritable();
      };
      for (const [path, arr] of Object.entries(payload)) {
        const w = await open(path);
        await w.write(Uint8Array.from(arr));
        await w.close();
      }
      const w = await open('unet/weights.pb');
      const chunk = new Uint8Array(64 * 1024 * 1024);
      for (let i = 0; i < (pieces * PIECE) / chunk.length; i++) await w.write(chunk);
      await w.close();
    },
    { payload: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Array.from(v)])), pieces, PIECE },
  );
  console.log(`written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const provider of providers) {
    const r = await page.evaluate(async (provider) => {
      const h = window.harness;
      const t = performance.now();
      try {
        const info = await h.diffusion().loadPipeline({ kind: 'opfs', modelId: 'large-weights' }, { provider, wasmWeightLimitBytes: 8 * 1024 ** 3 });
        const loadMs = performance.now() - t;
        const image = { data: new Uint8Array(256 * 256).fill(100), width: 256, height: 256, channels: 1 };
        const t2 = performance.now();
        const g = await h.diffusion().generate(`large-${provider}`, { image, prompt: 'pneumonia', negativePrompt: '', strength: 0.5, numInferenceSteps: 2, guidanceScale: 2, seed: 1 }, h.proxy(() => undefined));
        await h.diffusion().unload();
        return `loaded on ${info.providers.join('+')} in ${(loadMs / 1000).toFixed(1)} s; one ${g.width} px image (${g.timesteps.length} step) in ${((performance.now() - t2) / 1000).toFixed(1)} s`;
      } catch (e) {
        return `FAILED: ${e.name}: ${e.message}`;
      }
    }, provider);
    console.log(`${provider}: ${r}`);
  }
} finally {
  await context.close();
  process.kill(-server.pid);
  rmSync(profile, { recursive: true, force: true });
}
