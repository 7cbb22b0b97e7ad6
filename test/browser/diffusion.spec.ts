// The diffusion worker in real Chromium: the tiny SD-1.x pipeline (../shared/fixtures,
// served same-origin under /__shared__/) against diffusers' own img2img run, on the
// WebGPU EP (SwiftShader here) and on the wasm EP; tokenizer, seeds, cancellation, and the
// errors a wrong model gives. Step counts stay at the fixture's: SwiftShader is slow.
import { test, expect, openHarness, sharedRoot } from './fixtures';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { JobProgress } from '../../src/core/jobs';
import { externalizeInitializers, float16UnetLikeModel, testVaePair } from '../unit/diffusion/onnx-test-models';
import { referenceGenerationParams } from '../unit/diffusion/tiny-reference';
import { TINY_PIPELINE, TINY_PIPELINE_CONFIGS, tinyPipelineFolder } from './tiny-pipeline';

const TINY_DIR = resolve(sharedRoot, 'fixtures/diffusion-tiny');
/* eslint-disable @typescript-eslint/no-explicit-any */
const ref = JSON.parse(readFileSync(resolve(TINY_DIR, 'img2img/reference.json'), 'utf8')) as any;
const refIndex = JSON.parse(readFileSync(resolve(TINY_DIR, 'refs/index.json'), 'utf8')).arrays as Record<string, { file: string; dtype: string }>;
const tokenizations = JSON.parse(readFileSync(resolve(sharedRoot, 'fixtures/tokenizer-clip/tokenizations.json'), 'utf8')).cases as any[];

function refF32(name: string): Float32Array {
  const b = readFileSync(resolve(TINY_DIR, refIndex[name].file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The fixtures README criterion: max|a−b| / max(max|ref|, 1e-6). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i] - b[i]);
    if (Number.isNaN(x)) return NaN;
    d = Math.max(d, x);
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-6);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** The tiny pipeline as a URL source; its BPE files live in tokenizer-clip/. */
const TINY_SOURCE = {
  kind: 'url' as const,
  baseUrl: '/__shared__/fixtures/diffusion-tiny/',
  files: {
    'tokenizer/vocab.json': '/__shared__/fixtures/tokenizer-clip/vocab.json',
    'tokenizer/merges.txt': '/__shared__/fixtures/tokenizer-clip/merges.txt',
  },
};

const STEPS = ref.timesteps_run.length as number;

/** Generation parameters of the reference run; the image is fetched in the page. */
const REF_PARAMS = referenceGenerationParams();

async function load(page: Page, provider: 'webgpu' | 'wasm' | 'auto', source: unknown = TINY_SOURCE) {
  return page.evaluate(([p, s]) => window.harness.diffusion().loadPipeline(s as never, { provider: p as 'webgpu' | 'wasm' | 'auto' }), [provider, source] as const);
}

/** Runs the reference img2img in the worker with the fixture's noise; returns plain arrays. */
async function runReference(page: Page) {
  return page.evaluate(async ([params, steps]) => {
    const h = window.harness;
    const refs = '/__shared__/fixtures/diffusion-tiny/refs/';
    const f32 = async (name: string) => {
      const b = await h.fetchBytes(refs + name);
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    };
    const image = { data: await h.fetchBytes(refs + 'img2img__init_image_u8_hwc.bin'), width: 64, height: 64, channels: 3 as const };
    const noise = { vaePosterior: await f32('img2img__noise_vae_posterior.bin'), addNoise: await f32('img2img__noise_add.bin') };
    const names = ['prompt_embeds', 'negative_prompt_embeds', 'latents_noised', ...Array.from({ length: steps }, (_, i) => `step${i}/latents`)];
    const progress: { stage: string; done: number; total: number }[] = [];
    const r = await h
      .diffusion()
      .generate('ref-' + Date.now(), { ...params, image, noise, returnFloat: true, intermediates: names }, h.proxy((p) => void progress.push(p)));
    const inter: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(r.intermediates ?? {})) inter[k] = Array.from(v);
    return { image: Array.from(r.image!), rgb: Array.from(r.rgb), width: r.width, height: r.height, timesteps: r.timesteps, loop: r.loop, intermediates: inter, timings: r.timings, progress };
  }, [REF_PARAMS, STEPS] as const);
}

function checkAgainstReference(out: Awaited<ReturnType<typeof runReference>>, label: string) {
  expect(out.timesteps).toEqual(ref.timesteps_run);
  expect([out.height, out.width]).toEqual(ref.image_size_hw);
  const errors: Record<string, number> = {};
  errors.prompt_embeds = relErr(out.intermediates['prompt_embeds'], refF32('img2img/prompt_embeds'));
  errors.negative_prompt_embeds = relErr(out.intermediates['negative_prompt_embeds'], refF32('img2img/negative_prompt_embeds'));
  errors.latents_noised = relErr(out.intermediates['latents_noised'], refF32('img2img/latents_noised'));
  for (let i = 0; i < STEPS; i++) errors[`step${i}/latents`] = relErr(out.intermediates[`step${i}/latents`], refF32(`img2img/step${i}/latents`));
  const imageMaxAbs = maxAbs(out.image, refF32('img2img/image_nhwc'));
  const rgbMaxAbs = maxAbs(out.rgb, Array.from(refF32('img2img/image_nhwc'), (v) => Math.round(v * 255)));
  console.info(`${label} img2img vs diffusers:`, JSON.stringify({ ...errors, image_max_abs: imageMaxAbs, rgb_levels_max_abs: rgbMaxAbs }));
  console.info(`${label} timings (ms):`, JSON.stringify(out.timings));
  for (const k of ['prompt_embeds', 'negative_prompt_embeds', 'latents_noised']) expect(errors[k], k).toBeLessThanOrEqual(1e-4);
  for (let i = 0; i < STEPS; i++) expect(errors[`step${i}/latents`], `step ${i} latents`).toBeLessThanOrEqual(1e-3);
  expect(imageMaxAbs).toBeLessThanOrEqual(2e-3);
  expect(rgbMaxAbs).toBeLessThanOrEqual(1);
  // progress: one report per stage change and per step (the first and last always pass the throttle)
  expect(out.progress[0].stage).toBe('encode-prompt');
  expect(out.progress.some((p) => p.stage === 'denoise')).toBe(true);
  expect(out.progress.at(-1)).toMatchObject({ stage: 'decode', done: STEPS, total: STEPS });
}

test.describe('diffusion worker (tiny SD-1.x pipeline)', () => {
  test.beforeEach(async ({ page }) => {
    await openHarness(page);
  });
  test.afterEach(async ({ page }) => {
    await page.evaluate(() => window.harness.diffusion().unload()).catch(() => undefined);
  });

  test('end-to-end img2img on the WebGPU EP matches diffusers', async ({ page }) => {
    test.setTimeout(600_000);
    const info = await load(page, 'webgpu');
    expect(info.providers).toEqual(['webgpu']);
    expect(info.gpu.available).toBe(true);
    expect([info.height, info.width]).toEqual(ref.image_size_hw);
    expect(info.vaeScaleFactor).toBe(ref.vae_scale_factor);
    expect(info.scalingFactor).toBe(ref.vae_scaling_factor);
    expect(info.scheduler).toBe('ddim');
    expect(info.keepOnGpu).toBe(true);
    expect(info.components.unet.inputs.map((i) => `${i.name}:${i.elemType}`)).toEqual(['sample:float32', 'timestep:float32', 'encoder_hidden_states:float32']);
    expect(info.components.text_encoder.inputs[0]).toEqual({ name: 'input_ids', elemType: 'int64', dims: ['batch', 77] });
    expect(info.components.unet.float16).toBe(false);
    const out = await runReference(page);
    // guidance and DDIM ran beside the UNet on the GPU (the step graph), not on the CPU
    expect(out.loop).toBe('device');
    checkAgainstReference(out, 'webgpu');
  });

  test('end-to-end img2img on the wasm EP matches diffusers', async ({ page }) => {
    const info = await load(page, 'wasm');
    expect(info.providers).toEqual(['wasm']);
    expect(info.keepOnGpu).toBe(false);
    const out = await runReference(page);
    expect(out.loop).toBe('host');
    checkAgainstReference(out, 'wasm');
  });

  test('tokenizer in the worker reproduces openai/CLIP for every fixture prompt', async ({ page }) => {
    await load(page, 'wasm');
    const texts = tokenizations.map((c) => c.text as string);
    const ids = await page.evaluate(async (t) => {
      const d = window.harness.diffusion();
      const out: number[][] = [];
      for (const s of t) out.push(Array.from(await d.tokenize(s)));
      return out;
    }, texts);
    for (let i = 0; i < texts.length; i++) expect(ids[i], JSON.stringify(texts[i])).toEqual(tokenizations[i].input_ids_sd_pad_eot);
  });

  test('same seed on the same backend gives the same image; another seed does not (wasm)', async ({ page }) => {
    const info = await load(page, 'wasm');
    expect(info.providers).toEqual(['wasm']);
    const out = await page.evaluate(async (params) => {
      const h = window.harness;
      const image = { data: await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/refs/img2img__init_image_u8_hwc.bin'), width: 64, height: 64, channels: 3 as const };
      const run = async (seed: number) => Array.from((await h.diffusion().generate(`seed-${seed}-${Math.random()}`, { ...params, image, seed }, h.proxy(() => undefined))).gray);
      return { a: await run(7), b: await run(7), c: await run(8) };
    }, REF_PARAMS);
    expect(out.a).toEqual(out.b);
    expect(maxAbs(out.a, out.c)).toBeGreaterThan(0);
  });

  // The GPU loop feeds the step graph fresh noise, the σ-scaled next input and the previous
  // step's estimate as GPU tensors (Euler ancestral): it must give the CPU loop's image for
  // the same seed, and the same image twice. Two UNet steps at 32 px: SwiftShader takes
  // ~12 s per tiny UNet step at the model's 64 px on this 2-core machine. Every scheduler's step graph is checked against
  // its CPU step in the unit suite (latent-step-graph, device-denoise-loop on ORT wasm).
  test(`WebGPU: the denoising loop on the GPU gives the CPU loop's image, seed for seed`, async ({ page }) => {
    test.setTimeout(600_000);
    const loaded = await page.evaluate((s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'webgpu', scheduler: 'euler-ancestral' }), TINY_SOURCE);
    expect(loaded.providers).toEqual(['webgpu']);
    expect(loaded.scheduler).toBe('euler-ancestral');
    expect(loaded.keepOnGpu).toBe(true);
    const out = await page.evaluate(async (params) => {
      const h = window.harness;
      const image = { data: await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/refs/img2img__init_image_u8_hwc.bin'), width: 64, height: 64, channels: 3 as const };
      const run = async (deviceLoop: boolean) => {
        const r = await h.diffusion().generate(`loop-${deviceLoop}-${Math.random()}`, { ...params, image, seed: 7, deviceLoop, returnFloat: true }, h.proxy(() => undefined));
        return { image: Array.from(r.image!), loop: r.loop, steps: r.timesteps.length };
      };
      return { gpu: await run(true), again: await run(true), cpu: await run(false) };
    }, { ...REF_PARAMS, numInferenceSteps: 10, strength: 0.2, width: 32, height: 32 });
    expect(out.gpu.steps).toBe(2);
    expect(out.gpu.image).toHaveLength(32 * 32 * 3);
    expect([out.gpu.loop, out.cpu.loop]).toEqual(['device', 'host']);
    const diff = maxAbs(out.gpu.image, out.cpu.image);
    console.info(`euler-ancestral: GPU loop vs CPU loop, image max|Δ| = ${diff}`);
    expect(diff).toBeLessThanOrEqual(2e-3);
    expect(out.again.image).toEqual(out.gpu.image);
  });

  // On wasm for speed: cancellation is checked by the runtime before each UNet step,
  // independent of the execution provider.
  test('cancel stops a generation between steps, and the pipeline still works after', async ({ page }) => {
    await load(page, 'wasm');
    const out = await page.evaluate(async (params) => {
      const h = window.harness;
      const d = h.diffusion();
      const image = { data: await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/refs/img2img__init_image_u8_hwc.bin'), width: 64, height: 64, channels: 3 as const };
      const progress: JobProgress[] = [];
      const jobId = 'cancel-' + Date.now();
      let cancelled = false;
      const sink = h.proxy((p: JobProgress) => {
        progress.push(p);
        if (p.stage === 'denoise' && p.done >= 1 && !cancelled) {
          cancelled = true;
          void d.cancel(jobId);
        }
      });
      let error: { name: string; message: string } | null = null;
      try {
        await d.generate(jobId, { ...params, image, seed: 1 }, sink);
      } catch (e) {
        error = { name: (e as Error).name, message: (e as Error).message };
      }
      const after = await d.generate('after-' + Date.now(), { ...params, image, seed: 1, numInferenceSteps: 4 }, h.proxy(() => undefined));
      return { error, progress, afterSize: after.gray.length };
    }, REF_PARAMS);
    expect(out.error?.name).toBe('JobCancelledError');
    const denoise = out.progress.filter((p) => p.stage === 'denoise');
    expect(Math.max(...denoise.map((p) => p.done))).toBeLessThan(STEPS);
    expect(out.progress.some((p) => p.stage === 'decode')).toBe(false);
    expect(out.afterSize).toBe(64 * 64);
  });

  test('a VAE decoder served as unet/model.onnx is refused with a clear error', async ({ page }) => {
    const bad = { ...TINY_SOURCE, files: { ...TINY_SOURCE.files, 'unet/model.onnx': '/__shared__/fixtures/diffusion-tiny/vae_decoder/model.onnx' } };
    const message = await page.evaluate((s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'wasm' }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`), bad);
    expect(message).toMatch(/^OnnxInputError: UNet model has no input 'sample'/);
    expect(message).toContain('latent_sample');
    expect(message).toContain('Is this file the UNet?');
  });

  test('a file that is not ONNX, and a missing component, give their errors', async ({ page }) => {
    const notOnnx = { ...TINY_SOURCE, files: { ...TINY_SOURCE.files, 'vae_encoder/model.onnx': '/__shared__/fixtures/diffusion-tiny/img2img/init_image.png' } };
    const missing = { ...TINY_SOURCE, files: { ...TINY_SOURCE.files, 'text_encoder/model.onnx': '/__shared__/fixtures/diffusion-tiny/text_encoder/no-such-file.onnx' } };
    const [a, b] = await page.evaluate(
      ([x, y]) =>
        Promise.all(
          [x, y].map((s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'wasm' }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`)),
        ),
      [notOnnx, missing] as const,
    );
    expect(a).toMatch(/^OnnxFormatError: vae_encoder\/model\.onnx \(\d+ bytes\) is not (a readable|an) ONNX model/);
    expect(b).toMatch(/^ModelFileError: the pipeline at .*diffusion-tiny\/ has no text_encoder\/model\.onnx$/);
  });

  test('an fp16 UNet on an adapter without shader-f16 is refused, naming the fix', async ({ page }) => {
    const gpu = await page.evaluate(() => window.harness.accel().detect({ tfjs: 'auto', ort: 'auto' }).then((r) => r.gpu));
    test.skip(Boolean(gpu.features?.includes('shader-f16')), 'this adapter has shader-f16: the fp16 path is allowed here');
    await page.route('**/__generated__/fp16-unet.onnx', (route) => route.fulfill({ body: Buffer.from(float16UnetLikeModel()) }));
    const source = { ...TINY_SOURCE, files: { ...TINY_SOURCE.files, 'unet/model.onnx': '/__generated__/fp16-unet.onnx' } };
    const message = await page.evaluate((s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'auto' }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`), source);
    expect(message).toMatch(/^Float16UnsupportedError: unet\/model\.onnx computes in float16/);
    expect(message).toContain('shader-f16');
    expect(message).toContain('Use an fp32 or int8 variant');
  });

  test('a UNet with external weight data loads (and says so); without the data file the error names it', async ({ page }) => {
    const { model, data } = externalizeInitializers(new Uint8Array(readFileSync(resolve(TINY_DIR, 'unet/model.onnx'))), 'model.onnx_data');
    await page.route('**/__generated__/ext/**', (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop();
      if (name === 'model.onnx') return route.fulfill({ body: Buffer.from(model) });
      if (name === 'model.onnx_data') return route.fulfill({ body: Buffer.from(data) });
      return route.fulfill({ status: 404 });
    });
    const withData = {
      ...TINY_SOURCE,
      files: { ...TINY_SOURCE.files, 'unet/model.onnx': '/__generated__/ext/model.onnx', 'unet/model.onnx_data': '/__generated__/ext/model.onnx_data' },
    };
    // wasm for speed: ORT resolves external data while loading the model, before EP assignment.
    const info = await load(page, 'wasm', withData);
    expect(info.components.unet.externalData).toEqual(['model.onnx_data']);
    expect(info.components.unet.provider).toBe('wasm');
    const out = await runReference(page);
    expect(maxAbs(out.image, refF32('img2img/image_nhwc'))).toBeLessThanOrEqual(2e-3);

    const withoutData = { ...TINY_SOURCE, files: { ...TINY_SOURCE.files, 'unet/model.onnx': '/__generated__/ext/model.onnx' } };
    const message = await page.evaluate((s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'wasm' }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`), withoutData);
    expect(message).toMatch(/^ModelFileError: unet\/model\.onnx keeps its weights in the external file "unet\/model\.onnx_data", which is missing/);
  });

  test('a substitute VAE from OPFS (TAESD-like, trained on [0, 1] images) is measured, adapted and used; one that does not fit is refused', async ({ page }) => {
    const good = testVaePair(true);
    const put = (modelId: string, files: Record<string, Uint8Array>) =>
      page.evaluate(
        async ([id, entries]) => {
          const models = await (await navigator.storage.getDirectory()).getDirectoryHandle('models', { create: true });
          await models.removeEntry(id, { recursive: true }).catch(() => undefined);
          const top = await models.getDirectoryHandle(id, { create: true });
          for (const [path, bytes] of entries) {
            const [dirName, name] = path.split('/');
            const w = await (await (await top.getDirectoryHandle(dirName, { create: true })).getFileHandle(name, { create: true })).createWritable();
            await w.write(new Uint8Array(bytes));
            await w.close();
          }
        },
        [modelId, Object.entries(files).map(([p, b]) => [p, Array.from(b)] as [string, number[]])] as const,
      );
    await put('spec-vae-unit', { 'vae_encoder/model.onnx': good.encoder, 'vae_decoder/model.onnx': good.decoder });
    // a wrong file where the decoder should be: the tiny pipeline's VAE encoder
    await put('spec-vae-wrong', { 'vae_encoder/model.onnx': good.encoder, 'vae_decoder/model.onnx': readFileSync(resolve(TINY_DIR, 'vae_encoder/model.onnx')) });
    const info = await page.evaluate((s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'wasm', vae: { kind: 'opfs', modelId: 'spec-vae-unit' } }), TINY_SOURCE);
    expect(info.vae).toEqual({ source: 'OPFS models/spec-vae-unit/', imageRange: 'unit', scalingFactor: 1 });
    expect(info.notes.join('\n')).toContain('VAE from OPFS models/spec-vae-unit/');
    const gray = await page.evaluate(async (params) => {
      const h = window.harness;
      const image = { data: await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/refs/img2img__init_image_u8_hwc.bin'), width: 64, height: 64, channels: 3 as const };
      return Array.from((await h.diffusion().generate('vae-' + Date.now(), { ...params, image, seed: 3, numInferenceSteps: 10, strength: 0.1 }, h.proxy(() => undefined))).gray);
    }, REF_PARAMS);
    expect(gray).toHaveLength(64 * 64);
    const message = await page.evaluate(
      (s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'wasm', vae: { kind: 'opfs', modelId: 'spec-vae-wrong' } }).then(() => 'loaded', (e: Error) => e.message),
      TINY_SOURCE,
    );
    expect(message).toMatch(/VAE decoder|does not reconstruct|latent_sample/);
  });

  test('loads the same pipeline from OPFS models/<id>/ (the model store layout)', async ({ page }) => {
    const files: [string, string][] = [
      ['model_index.json', 'diffusion-tiny/model_index.json'],
      ['scheduler/scheduler_config.json', 'diffusion-tiny/scheduler/scheduler_config.json'],
      ['vae/config.json', 'diffusion-tiny/vae/config.json'],
      ['unet/config.json', 'diffusion-tiny/unet/config.json'],
      ['tokenizer/vocab.json', 'tokenizer-clip/vocab.json'],
      ['tokenizer/merges.txt', 'tokenizer-clip/merges.txt'],
      ...['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'].map((c): [string, string] => [`${c}/model.onnx`, `diffusion-tiny/${c}/model.onnx`]),
    ];
    const id = 'diffusion-spec-tiny';
    await page.evaluate(
      async ([list, modelId]) => {
        const root = await navigator.storage.getDirectory();
        const models = await root.getDirectoryHandle('models', { create: true });
        await models.removeEntry(modelId, { recursive: true }).catch(() => undefined);
        const top = await models.getDirectoryHandle(modelId, { create: true });
        for (const [path, src] of list) {
          const parts = path.split('/');
          const name = parts.pop()!;
          let dir = top;
          for (const p of parts) dir = await dir.getDirectoryHandle(p, { create: true });
          const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
          await w.write((await window.harness.fetchBytes('/__shared__/fixtures/' + src)) as Uint8Array<ArrayBuffer>);
          await w.close();
        }
      },
      [files, id] as const,
    );
    try {
      const info = await load(page, 'wasm', { kind: 'opfs', modelId: id });
      expect(info.source).toBe(`OPFS models/${id}/`);
      expect([info.height, info.width]).toEqual(ref.image_size_hw);
      const ids = await page.evaluate((t) => window.harness.diffusion().tokenize(t).then((x) => Array.from(x)), ref.prompt as string);
      const b = readFileSync(resolve(TINY_DIR, refIndex['img2img/prompt_input_ids'].file));
      expect(ids).toEqual(Array.from(new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), Number));
    } finally {
      await page.evaluate(async (modelId) => {
        const models = await (await navigator.storage.getDirectory()).getDirectoryHandle('models');
        await models.removeEntry(modelId, { recursive: true });
      }, id);
    }
  });
});

for (const bits of [8, 4] as const) {
  const kind = bits === 8 ? 'int8' : 'q4';
  test(`Models page: ${bits === 8 ? 'an int8' : 'a 4-bit MatMul + int8'} copy of a stored pipeline runs on the wasm and WebGPU EPs, close to the fp32 reference`, async ({ page }) => {
    test.setTimeout(600_000);
    await page.goto('/#/models');
    await page.getByTestId('import-name').fill('tiny fp32');
    const layout = [...TINY_PIPELINE_CONFIGS, ...TINY_PIPELINE];
    await page.getByTestId('import-folder').setInputFiles(tinyPipelineFolder(layout, 'cxr-quant-'));
    await expect(page.getByTestId('import-result')).toContainText(`Imported ${layout.length} files`, { timeout: 60_000 });
    const sourceId = (await page.getByTestId('local-model').first().getAttribute('data-model-id'))!;
    const copyId = `${sourceId}-${kind}`;
    await page.getByTestId(bits === 8 ? 'local-model-quantize' : 'local-model-quantize-q4').click();
    await expect(page.getByTestId('import-result')).toContainText(`copy stored as ${copyId}`, { timeout: 120_000 });
    await expect(page.getByTestId('import-result')).toContainText(/unet [\d.]+ [KM]B → [\d.]+ [KM]B/);

    await openHarness(page);
    const [src, copy] = await page.evaluate((ids) => Promise.all(ids.map((id) => window.harness.modelStore.getModel(id))), [sourceId, copyId]);
    expect(copy).toMatchObject({ status: 'ready', variant: kind, origin: 'local' });
    expect(Object.keys(copy!.files).sort()).toEqual(Object.keys(src!.files).sort());
    expect(copy!.files['unet/model.onnx'].bytes).toBeLessThan(src!.files['unet/model.onnx'].bytes * (bits === 8 ? 0.5 : 0.4));

    // wasm: the fixture's run with its injected noise, against diffusers' fp32 image
    const info = await load(page, 'wasm', { kind: 'opfs', modelId: copyId });
    expect(info.providers).toEqual(['wasm']);
    const out = await runReference(page);
    const diff = maxAbs(out.image, refF32('img2img/image_nhwc'));
    console.info(`${kind} copy vs fp32 diffusers image, max |Δ| (0..1 scale):`, diff);
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(bits === 8 ? 0.05 : 0.08);

    // WebGPU EP (one UNet step on SwiftShader): DequantizeLinear and MatMulNBits have WebGPU kernels; same image as wasm
    const oneStep = async (provider: 'wasm' | 'webgpu') => {
      const i = await load(page, provider, { kind: 'opfs', modelId: copyId });
      const r = await page.evaluate(async (params) => {
        const h = window.harness;
        const image = { data: await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/refs/img2img__init_image_u8_hwc.bin'), width: 64, height: 64, channels: 3 as const };
        const g = await h.diffusion().generate(`quant-${Math.random()}`, { ...params, image, seed: 3, returnFloat: true }, h.proxy(() => undefined));
        return { image: Array.from(g.image!), steps: g.timesteps.length };
      }, { ...REF_PARAMS, strength: 0.1 });
      return { info: i, ...r };
    };
    const gpu = await oneStep('webgpu');
    expect(gpu.info.components.unet.provider).toBe('webgpu');
    expect(gpu.info.components.unet.cpuFallbackOps).toEqual([]);
    expect(gpu.steps).toBe(1);
    const cpu = await oneStep('wasm');
    expect(maxAbs(gpu.image, cpu.image)).toBeLessThan(2e-3);
  });
}

test('a pipeline whose weights exceed what the wasm heap can hold is refused before loading, with what to do instead', async ({ page }) => {
  await openHarness(page);
  // The real limit is 3.5 GB (SD-1.5 fp32 is ~4.3 GB); the tiny pipeline (16.5 MB) meets a 15 MB one at its UNet, the last component loaded.
  const message = await page.evaluate(
    (s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'wasm', wasmWeightLimitBytes: 15 * 1024 * 1024 }).then(() => 'loaded', (e: Error) => e.message),
    TINY_SOURCE,
  );
  expect(message).toMatch(/^unet\/model\.onnx: no execution provider could load it \(wasm: its weights \([\d.]+ MB\) on top of the components already on wasm \([\d.]+ MB\) exceed the 15\.0 MB the WebAssembly heap can hold/);
  expect(message).toContain('Run it on WebGPU, or use a smaller variant');
  // Within the limit the same pipeline loads.
  const info = await page.evaluate((s) => window.harness.diffusion().loadPipeline(s as never, { provider: 'wasm', wasmWeightLimitBytes: 64 * 1024 * 1024 }), TINY_SOURCE);
  expect(info.providers).toEqual(['wasm']);
});
