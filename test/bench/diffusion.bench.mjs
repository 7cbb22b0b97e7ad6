// Diffusion benchmark: `node test/bench/browser-bench.mjs diffusion [pipelineDir]`
// (npm run bench:diffusion [-- /abs/path/to/diffusers-onnx-pipeline]).
// Per execution provider and image size: text-encoder, VAE encode, UNet step (cold =
// first step of the first run, warm = median of the rest), VAE decode and whole-image
// time, plus memory. Without a path it uses the tiny SD-1.x fixture pipeline; with one
// it loads that folder from disk through /__local__/ (same origin).
// Environment: BENCH_PROVIDERS (default "webgpu,wasm"), BENCH_SIZES (default "64,128" for
// the tiny pipeline, the model's own size for a full one), BENCH_STEPS (10) and
// BENCH_STRENGTH (0.3: 3 of 10 steps run), BENCH_RUNS (measured runs after one warm-up, 1),
// BENCH_KEEP_ON_GPU ("both": WebGPU runs with the denoising loop on the GPU and with it on
// the CPU, or "on"/"off"). With the loop on the GPU a UNet run returns once its work is
// queued: "UNet step" is then queueing time and the GPU time shows up in "other per step";
// compare whole-image times between the two.
// BENCH_VARIANTS (default "fp32"; e.g. "fp32,int8,q4": the pipeline as given plus the int8
// and 4-bit copies the app's Models page makes, quantized here in Node with the same code,
// so their speed and memory are compared in one run), BENCH_VAE (a folder with vae_encoder/
// and vae_decoder/, e.g. TAESD: every pipeline is also run with it in place of its own VAE,
// rows marked "+vae").
import { copyFile, mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const env = process.env;
const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 0)} ms` : 'n/a');
const mb = (x) => (x == null ? 'n/a' : `${(x / 2 ** 20).toFixed(1)} MiB`);

const COMPONENTS = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'];
const SHARED = resolve(import.meta.dirname, '../../../shared');

async function filesUnder(root) {
  const out = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(relative(root, join(e.parentPath ?? e.path, e.name)));
  return out;
}

/**
 * Writes a quantized copy of the pipeline at `src` (the tiny fixture when null) to `dest`,
 * as the Models page's 'Make an int8 / 4-bit copy' does: components quantized (external
 * weights read by range, never whole), configs and tokenizer copied, weight files dropped.
 */
async function quantizedCopy(src, dest, bits, log) {
  const { module: q } = await runnerImport(fileURLToPath(new URL('../../src/ml/formats/onnx-quantize.ts', import.meta.url)), { configFile: false, logLevel: 'error' });
  const root = src ?? join(SHARED, 'fixtures/diffusion-tiny');
  const kept = (p) =>
    p === 'model_index.json' ||
    ['scheduler/', 'tokenizer/', 'vae/'].some((d) => p.startsWith(d)) ||
    (COMPONENTS.some((c) => p.startsWith(`${c}/`)) && (p.endsWith('/model.onnx') || p.endsWith('.json')));
  const files = (await filesUnder(root)).filter(kept);
  for (const rel of files) {
    await mkdir(dirname(join(dest, rel)), { recursive: true });
    const component = COMPONENTS.find((c) => rel === `${c}/model.onnx`);
    if (!component) {
      await copyFile(join(root, rel), join(dest, rel));
      continue;
    }
    const { readFile } = await import('node:fs/promises');
    const t0 = Date.now();
    const r = await q.quantizeWeightsInt8(new Uint8Array(await readFile(join(root, rel))), {
      matMul4Bit: bits === 4,
      readExternal: async (location, offset, length) => {
        const fh = await open(join(root, component, location), 'r');
        try {
          const buf = new Uint8Array(length);
          const { bytesRead } = await fh.read(buf, 0, length, offset);
          return buf.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
      },
    });
    await writeFile(join(dest, rel), r.model);
    log(`  ${bits === 8 ? 'int8' : 'q4'} ${component}: ${r.tensors.length} weights, ${mb(r.floatBytes)} → ${mb(r.quantizedBytes)} in ${Date.now() - t0} ms`);
  }
  if (!src) {
    // the fixture keeps its BPE files in tokenizer-clip/
    for (const f of ['vocab.json', 'merges.txt']) await copyFile(join(SHARED, 'fixtures/tokenizer-clip', f), join(dest, 'tokenizer', f));
  }
}

export async function run({ page, log, args }) {
  const dir = args[0] ? resolve(args[0]) : null;
  const given = dir
    ? { kind: 'url', baseUrl: `/__local__${dir}/` }
    : {
        kind: 'url',
        baseUrl: '/__shared__/fixtures/diffusion-tiny/',
        files: { 'tokenizer/vocab.json': '/__shared__/fixtures/tokenizer-clip/vocab.json', 'tokenizer/merges.txt': '/__shared__/fixtures/tokenizer-clip/merges.txt' },
      };
  const variants = (env.BENCH_VARIANTS ?? 'fp32').split(',');
  const sources = [];
  for (const v of variants) {
    if (v === 'fp32') sources.push({ variant: v, source: given });
    else if (v === 'int8' || v === 'q4') {
      const dest = join(env.BENCH_TMP, v);
      log(`making the ${v} copy in ${dest}`);
      await quantizedCopy(dir, dest, v === 'int8' ? 8 : 4, log);
      sources.push({ variant: v, source: { kind: 'url', baseUrl: `/__local__${dest}/` } });
    } else throw new Error(`BENCH_VARIANTS: unknown variant ${v} (fp32, int8, q4)`);
  }
  const providers = (env.BENCH_PROVIDERS ?? 'webgpu,wasm').split(',');
  const steps = Number(env.BENCH_STEPS ?? 10);
  const strength = Number(env.BENCH_STRENGTH ?? 0.3);
  const runs = Number(env.BENCH_RUNS ?? 1);
  const keepModes = { both: [true, false], on: [true], off: [false] }[env.BENCH_KEEP_ON_GPU ?? 'both'];
  log(`diffusion benchmark: ${dir ?? 'tiny SD-1.x fixture pipeline'}; ${steps} steps at strength ${strength}, 1 warm-up + ${runs} measured run(s)`);
  const gpu = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? `${a.info.vendor} / ${a.info.architecture} ${a.info.description}; shader-f16=${a.features.has('shader-f16')}` : 'none';
  });
  log(`WebGPU adapter: ${gpu}`);
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  log(`crossOriginIsolated: ${isolated} (wasm threads ${isolated ? 'on' : 'off'})`);

  const vaeDir = env.BENCH_VAE ? resolve(env.BENCH_VAE) : null;
  const vaes = vaeDir ? [null, { kind: 'url', baseUrl: `/__local__${vaeDir}/` }] : [null];
  const rows = [];
  for (const { variant: baseVariant, source } of sources) {
  for (const vae of vaes) {
  const variant = vae ? `${baseVariant}+vae` : baseVariant;
  for (const provider of providers) {
    for (const keepOnGpu of provider === 'webgpu' ? keepModes : [false]) {
      const t0 = Date.now();
      let info;
      try {
        info = await page.evaluate(([s, p, k, v]) => window.harness.diffusion().loadPipeline(s, { provider: p, keepOnGpu: k, vae: v ?? undefined }), [source, provider, keepOnGpu, vae]);
      } catch (e) {
        log(`${provider}: load failed: ${e.message}`);
        continue;
      }
      const loadMs = Date.now() - t0;
      if (!info.providers.includes(provider)) log(`note: asked for ${provider}, got ${info.providers.join('+')} (${info.notes.join('; ')})`);
      log(`\n[${variant}] loaded on ${info.providers.join('+')} in ${ms(loadMs)} (keepOnGpu ${info.keepOnGpu}); default ${info.width}×${info.height}, vae ×${info.vaeScaleFactor}, scheduler ${info.scheduler}`);
      for (const n of info.notes) log(`  note: ${n}`);
      const sizes = (env.BENCH_SIZES ?? (dir ? String(info.width) : '64,128')).split(',').map(Number);
      for (const size of sizes) {
        const results = await page.evaluate(
          async ([sz, st, sg, n]) => {
            const h = window.harness;
            // A smooth synthetic gray "radiograph" at the model size: content does not change timing.
            const data = new Uint8Array(sz * sz).map((_, i) => 128 + Math.round(60 * Math.sin((i % sz) / 9) * Math.cos(Math.floor(i / sz) / 13)));
            const image = { data, width: sz, height: sz, channels: 1 };
            const out = [];
            for (let r = 0; r <= n; r++) {
              const res = await h
                .diffusion()
                .generate(`bench-${sz}-${r}-${Date.now()}`, { image, width: sz, height: sz, prompt: 'a pediatric chest x-ray showing bronchopneumonia', negativePrompt: '', strength: sg, numInferenceSteps: st, guidanceScale: 5, seed: r + 1 }, h.proxy(() => undefined));
              out.push({ ...res.timings, loop: res.loop });
            }
            const worker = await h.diffusion().memory();
            const pm = performance.memory ? { used: performance.memory.usedJSHeapSize, total: performance.memory.totalJSHeapSize } : null;
            let uasm = null;
            if (self.crossOriginIsolated && performance.measureUserAgentSpecificMemory) {
              try {
                uasm = await Promise.race([performance.measureUserAgentSpecificMemory().then((m) => m.bytes), new Promise((r) => setTimeout(() => r(null), 30_000))]);
              } catch {
                uasm = null;
              }
            }
            return { timings: out, worker, page: pm, uasm };
          },
          [size, steps, strength, runs],
        );
        const [cold, ...warm] = results.timings;
        const measured = warm.length ? warm : [cold];
        const warmSteps = warm.length ? warm.flatMap((t) => t.unetStepMs) : cold.unetStepMs.slice(1);
        const row = {
          variant,
          provider: info.providers.join('+'),
          keepOnGpu: info.keepOnGpu,
          loop: cold.loop,
          size,
          unetSteps: cold.unetStepMs.length,
          unetStepColdMs: cold.unetStepMs[0],
          unetStepWarmMs: median(warmSteps),
          textEncodeMs: median(measured.map((t) => t.encodePromptMs)),
          vaeEncodeMs: median(measured.map((t) => t.vaeEncodeMs)),
          vaeDecodeMs: median(measured.map((t) => t.vaeDecodeMs)),
          stepOverheadMs: median(measured.flatMap((t) => t.stepOverheadMs)),
          imageMs: median(measured.map((t) => t.totalMs)),
          imageColdMs: cold.totalMs,
          workerHeap: results.worker.jsHeapUsedBytes,
          pageHeap: results.page?.used ?? null,
          uaMemory: results.uasm,
        };
        rows.push(row);
        log(
          `  ${size}px, loop on the ${row.loop === 'device' ? 'GPU' : 'CPU'}: UNet step ${ms(row.unetStepWarmMs)} (first ${ms(row.unetStepColdMs)}), text encoder ${ms(row.textEncodeMs)}, ` +
            `VAE encode ${ms(row.vaeEncodeMs)}, decode ${ms(row.vaeDecodeMs)}, other per step ${ms(row.stepOverheadMs)}, ` +
            `image ${ms(row.imageMs)} (${row.unetSteps} steps; first image ${ms(row.imageColdMs)}); ` +
            `memory: worker JS heap ${mb(row.workerHeap)}, page JS heap ${mb(row.pageHeap)}, measureUserAgentSpecificMemory ${mb(row.uaMemory)}`,
        );
      }
      await page.evaluate(() => window.harness.diffusion().unload());
    }
  }
  }
  }
  log('\nsummary (ms; warm medians):');
  log('variant\tprovider\tloop\tsize\tunetStep\ttextEnc\tvaeEnc\tvaeDec\timage\tworkerHeapMiB\tuaMemoryMiB');
  for (const r of rows) {
    log(
      [r.variant, r.provider, r.loop, r.size, r.unetStepWarmMs, r.textEncodeMs, r.vaeEncodeMs, r.vaeDecodeMs, r.imageMs]
        .map((v) => (typeof v === 'number' ? v.toFixed(1) : String(v)))
        .concat([r.workerHeap == null ? 'n/a' : (r.workerHeap / 2 ** 20).toFixed(1), r.uaMemory == null ? 'n/a' : (r.uaMemory / 2 ** 20).toFixed(1)])
        .join('\t'),
    );
  }
  log('wasm heap: onnxruntime-web 1.30 does not expose its WebAssembly.Memory; it is included in measureUserAgentSpecificMemory where that is available. GPU memory is not measurable from WebGPU.');
}
