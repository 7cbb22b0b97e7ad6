// The built-in demo pipeline: generated ONNX files load through the same loader as a real
// SD-1.x folder, the UNet graph computes the Wiener-denoiser formula it claims (checked
// against a float64 evaluation of the formula with the TypeScript pyramid), and img2img
// with a finding prompt adds the finding while a normal prompt does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoPipeline, buildDemoVocabulary, DEMO_FINDING_WORDS, type DemoPipeline } from '../../../src/ml/diffusion/demo-model';
import { laplacianBands, upsample, type Plane } from '../../../src/ml/diffusion/demo-model/pyramid';
import { loadOnnxImg2ImgPipeline, type Img2ImgPipeline } from '../../../src/ml/diffusion';
import { clipTokenizerFromVocabMerges } from '../../../src/ml/diffusion/tokenizer';
import { noiseSchedule, parseSchedulerConfig } from '../../../src/ml/diffusion/schedulers';
import { generatePhantom } from '../../../src/core/demo/chest-phantom';
import { createRng } from '../../../src/core/random';
import { ort, wasmDeviceLoops } from './ort-node';

const SIZE = 64;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

let demo: DemoPipeline;
let pipeline: Img2ImgPipeline;
beforeAll(async () => {
  demo = buildDemoPipeline({ size: SIZE, samples: 8 });
  pipeline = await loadOnnxImg2ImgPipeline({
    ort,
    files: { readText: async (p) => (demo.files[p] ? text(demo.files[p]) : undefined) },
    createSession: (c) => ort.InferenceSession.create(demo.files[`${c}/model.onnx`], { executionProviders: ['wasm'] }),
  });
});
afterAll(async () => pipeline?.dispose());

describe('demo vocabulary', () => {
  const { vocab, mergesTxt, wordTokens } = buildDemoVocabulary();
  const tokenizer = clipTokenizerFromVocabMerges(JSON.stringify(vocab), mergesTxt);

  it('makes every finding word one token, and tokenizes any text', () => {
    for (const word of DEMO_FINDING_WORDS) expect(tokenizer.encode(word), word).toEqual([vocab[wordTokens[word]]]);
    expect(tokenizer.encode('Bronchopneumonia, right lower lobe — ünïcode ✓').length).toBeGreaterThan(5);
    const ids = tokenizer.tokenize('a pediatric chest x-ray showing bronchopneumonia');
    expect(ids[0]).toBe(tokenizer.bosId);
    expect(ids.length).toBe(77);
  });
});

describe('demo pipeline', () => {
  it('is the same bytes on every build (stable model hash)', () => {
    const again = buildDemoPipeline({ size: SIZE, samples: 8 });
    expect(Object.keys(again.files)).toEqual(Object.keys(demo.files));
    for (const [path, bytes] of Object.entries(demo.files)) expect(Buffer.compare(Buffer.from(again.files[path]), Buffer.from(bytes)), path).toBe(0);
  });

  it('loads as a diffusers img2img pipeline: gray VAE at scale factor 1, one latent channel, the model size', () => {
    const { config, scheduler } = pipeline.components;
    expect(config.vaeScaleFactor).toBe(1);
    expect(config.latentChannels).toBe(1);
    expect([config.defaultHeight, config.defaultWidth]).toEqual([SIZE, SIZE]);
    expect(config.assumptions).toBeUndefined();
    expect(scheduler.kind).toBe('ddim');
  });

  it('text encoder marks finding words only', async () => {
    const { tokenizer, textEncoder } = pipeline.components;
    const enc = async (s: string) => Array.from((await textEncoder.encode(tokenizer.tokenize(s), 1)).data).reduce((a, b) => a + b, 0);
    expect(await enc('a pediatric chest x-ray showing pneumonia')).toBe(1);
    expect(await enc('consolidation and opacities')).toBe(2);
    expect(await enc('a normal pediatric chest x-ray')).toBe(0);
  });

  it('UNet computes the per-band Wiener noise prediction (float64 reference of the formula)', async () => {
    const { prior } = demo;
    const unetConfig = JSON.parse(text(demo.files['vae_decoder/config.json'])) as { scaling_factor: number };
    const L = unetConfig.scaling_factor;
    const sched = JSON.parse(text(demo.files['scheduler/scheduler_config.json'])) as Record<string, unknown>;
    const { alphasCumprod } = noiseSchedule(parseSchedulerConfig(sched).config);
    const rng = createRng(3);
    const plane = SIZE * SIZE;
    const sample = Float32Array.from({ length: 2 * plane }, () => rng.normal());
    // batch 0: unconditional (c = 0); batch 1: a finding prompt (c = 1)
    const context = new Float32Array(2 * 77);
    context[77 + 5] = 1;
    for (const t of [999, 601, 250, 20]) {
      const eps = await pipeline.components.denoiser.predictNoise(sample, [2, 1, SIZE, SIZE], t, { data: context, shape: [2, 77, 1] });
      const a = alphasCumprod[t];
      const sigma = Math.sqrt((1 - a) / a);
      for (let b = 0; b < 2; b++) {
        const d: Plane = {
          data: Float32Array.from({ length: plane }, (_, j) => sample[b * plane + j] / Math.sqrt(a) - L * (prior.meanNormal[j] + b * prior.findingShift[j])),
          width: SIZE,
          height: SIZE,
        };
        const bands = laplacianBands(d, prior.levels);
        const gain = (k: number) => (sigma * prior.noiseShare[k]) / (L * L * prior.bandVariance[k] + sigma * sigma * prior.noiseShare[k]);
        let acc: Plane = { ...bands[prior.levels], data: bands[prior.levels].data.map((v) => v * gain(prior.levels)) };
        for (let k = prior.levels - 1; k >= 0; k--) {
          const up = upsample(acc);
          acc = { ...up, data: up.data.map((v, j) => v + bands[k].data[j] * gain(k)) };
        }
        let maxErr = 0;
        let maxRef = 0;
        for (let j = 0; j < plane; j++) {
          maxErr = Math.max(maxErr, Math.abs(eps[b * plane + j] - acc.data[j]));
          maxRef = Math.max(maxRef, Math.abs(acc.data[j]));
        }
        expect(maxErr / maxRef, `t=${t} batch ${b}`).toBeLessThan(1e-4);
      }
    }
  });

  it('img2img: a finding prompt adds the finding where the phantoms have it, a normal prompt does not; same seed, same image', async () => {
    const src = generatePhantom({ size: SIZE, seed: 11, positive: false });
    const run = (prompt: string) =>
      pipeline.run({
        image: { data: src.pixels, width: SIZE, height: SIZE, channels: 1 },
        prompt,
        negativePrompt: 'blurry',
        strength: 0.6,
        numInferenceSteps: 20,
        guidanceScale: 7.5,
        seed: 5,
      });
    const finding = await run('a pediatric chest x-ray showing pneumonia');
    const normal = await run('a normal pediatric chest x-ray');
    const again = await run('a pediatric chest x-ray showing pneumonia');
    expect(Buffer.compare(Buffer.from(finding.rgb), Buffer.from(again.rgb))).toBe(0);
    // The difference image correlates with the phantoms' mean opacity pattern.
    const diff = Float64Array.from({ length: SIZE * SIZE }, (_, j) => finding.rgb[3 * j] - normal.rgb[3 * j]);
    const shift = demo.prior.findingShift;
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    const md = mean(diff);
    const ms = mean(shift);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let j = 0; j < diff.length; j++) {
      sxy += (diff[j] - md) * (shift[j] - ms);
      sxx += (diff[j] - md) ** 2;
      syy += (shift[j] - ms) ** 2;
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.8);
    expect(md).toBeGreaterThan(0.5); // opacities brighten the lungs
  });

  it('runs its denoising loop on the device too (one latent channel, through the step graph)', async () => {
    const onDevice = await loadOnnxImg2ImgPipeline({
      ort,
      files: { readText: async (p) => (demo.files[p] ? text(demo.files[p]) : undefined) },
      createSession: (c) => ort.InferenceSession.create(demo.files[`${c}/model.onnx`], { executionProviders: ['wasm'] }),
      unet: { deviceLoop: wasmDeviceLoops() },
    });
    try {
      const src = generatePhantom({ size: SIZE, seed: 12, positive: false });
      const params = {
        image: { data: src.pixels, width: SIZE, height: SIZE, channels: 1 as const },
        prompt: 'a pediatric chest x-ray showing pneumonia',
        strength: 0.6,
        numInferenceSteps: 10,
        guidanceScale: 7.5,
        seed: 6,
      };
      const device = await onDevice.run(params);
      const host = await pipeline.run(params);
      expect([device.loop, host.loop]).toEqual(['device', 'host']);
      expect(Math.max(...device.rgb.map((v, i) => Math.abs(v - host.rgb[i])))).toBeLessThanOrEqual(1);
    } finally {
      await onDevice.dispose();
    }
  });
});
