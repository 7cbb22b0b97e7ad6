// End-to-end img2img on the tiny pipeline against diffusers' StableDiffusionImg2ImgPipeline
// (diffusion-tiny/img2img/reference.json), noise injected from the fixture arrays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxImg2ImgPipeline, type Img2ImgPipeline, type Img2ImgProgress } from '../../../src/ml/diffusion';
import { maxAbsDiff, refF32, refI64AsNumbers, refU8, relErr } from './fixtures';
import { ort, tinySession } from './ort-node';
import { TINY_IMG2IMG_REF, readTinyPipelineText, referenceGenerationParams } from './tiny-reference';

const ref = TINY_IMG2IMG_REF;

// The fixture keeps vocab/merges in tokenizer-clip/ rather than tokenizer/.

let pipeline: Img2ImgPipeline;
beforeAll(async () => {
  pipeline = await loadOnnxImg2ImgPipeline({ ort, files: { readText: readTinyPipelineText }, createSession: tinySession });
});
afterAll(async () => pipeline?.dispose());

const baseParams = () => ({
  image: { data: refU8('img2img/init_image_u8_hwc'), width: ref.image_size_hw[1], height: ref.image_size_hw[0], channels: 3 as const },
  ...referenceGenerationParams(),
});

describe('img2img end to end (ONNX wasm, DDIM, injected noise)', () => {
  it('reads the pipeline config from the folder', () => {
    const { config, scheduler } = pipeline.components;
    expect(config.vaeScaleFactor).toBe(ref.vae_scale_factor);
    expect(config.scalingFactor).toBe(ref.vae_scaling_factor);
    expect([config.defaultHeight, config.defaultWidth]).toEqual(ref.image_size_hw);
    expect(scheduler.kind).toBe('ddim');
  });

  it('tokenizes the prompts as the reference', () => {
    const { tokenizer } = pipeline.components;
    expect(Array.from(tokenizer.tokenize(ref.prompt))).toEqual(refI64AsNumbers('img2img/prompt_input_ids'));
    expect(Array.from(tokenizer.tokenize(ref.negative_prompt))).toEqual(refI64AsNumbers('img2img/negative_prompt_input_ids'));
  });

  it('matches every intermediate, the per-step latents and the final image', async () => {
    const seen = new Map<string, Float32Array>();
    const progress: Img2ImgProgress[] = [];
    const result = await pipeline.run({
      ...baseParams(),
      noise: { vaePosterior: refF32('img2img/noise_vae_posterior'), addNoise: refF32('img2img/noise_add') },
      onIntermediate: (name, data) => seen.set(name, data.slice()),
      onProgress: (p) => progress.push(p),
    });
    expect(result.timesteps).toEqual(ref.timesteps_run);

    const tolerances: [string, number][] = [
      ['prompt_embeds', 1e-4],
      ['negative_prompt_embeds', 1e-4],
      ['vae_input', 1e-6],
      ['init_latents_unscaled', 1e-4],
      ['init_latents_scaled', 1e-4],
      ['latents_noised', 1e-4],
    ];
    for (let i = 0; i < ref.timesteps_run.length; i++) {
      for (const what of ['unet_input', 'unet_output', 'noise_pred_guided', 'pred_original_sample', 'latents']) {
        tolerances.push([`step${i}/${what}`, 1e-3]);
      }
    }
    tolerances.push(['vae_decoder_input', 1e-3], ['vae_decoder_output', 1e-3]);
    const report: Record<string, number> = {};
    for (const [name, tol] of tolerances) {
      const got = seen.get(name);
      expect(got, name).toBeDefined();
      report[name] = relErr(got!, refF32(`img2img/${name}`));
      expect(report[name], name).toBeLessThanOrEqual(tol);
    }
    const imageDiff = maxAbsDiff(result.image, refF32('img2img/image_nhwc'));
    expect(imageDiff).toBeLessThanOrEqual(2e-3);
    const expectedPng = refF32('img2img/image_nhwc').map((v) => Math.round(v * 255));
    expect(maxAbsDiff(result.rgb, expectedPng)).toBeLessThanOrEqual(1);
    console.info('img2img rel errors', JSON.stringify({ ...report, image_max_abs: imageDiff }));

    expect(progress.filter((p) => p.stage === 'denoise').map((p) => p.timestep)).toEqual(ref.timesteps_run);
    expect(progress.at(-1)?.stage).toBe('decode');
  });

  it('with a seed: same seed gives the same image, another seed a different one', async () => {
    const run = (seed: number) => pipeline.run({ ...baseParams(), numInferenceSteps: 4, seed });
    const [a, b, c] = [await run(11), await run(11), await run(12)];
    expect(Array.from(a.rgb)).toEqual(Array.from(b.rgb));
    expect(maxAbsDiff(a.image, c.image)).toBeGreaterThan(1e-3);
  });

  it('stops between steps when the signal is aborted', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    await expect(
      pipeline.run({
        ...baseParams(),
        seed: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage !== 'denoise') return;
          steps.push(p.done);
          if (p.done === 1) controller.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    expect(steps).toEqual([0, 1]);
  });

  it('accepts a grayscale source of another size (centre crop + resample)', async () => {
    const gray = new Uint8Array(80 * 100).map((_, i) => (i * 7) % 256);
    const out = await pipeline.run({ ...baseParams(), image: { data: gray, width: 80, height: 100, channels: 1 }, seed: 3 });
    expect([out.width, out.height]).toEqual([64, 64]);
    expect(out.rgb).toHaveLength(64 * 64 * 3);
  });

  it('runs with another scheduler built from the same config (Euler ancestral, seeded)', async () => {
    const euler = await loadOnnxImg2ImgPipeline({
      ort,
      files: { readText: readTinyPipelineText },
      createSession: tinySession,
      scheduler: 'euler-ancestral',
    });
    try {
      const out = await euler.run({ ...baseParams(), seed: 5 });
      expect(out.timesteps).toHaveLength(6);
      expect(out.image.every((v) => v >= 0 && v <= 1)).toBe(true);
    } finally {
      await euler.dispose();
    }
  });

  it('loads an export without VAE/UNet config.json (as several public ONNX exports ship) with the SD VAE defaults, and says so', async () => {
    const withoutConfigs = async (path: string) => (/^(vae|vae_encoder|vae_decoder|unet)\/config\.json$/.test(path) ? undefined : readTinyPipelineText(path));
    const bare = await loadOnnxImg2ImgPipeline({ ort, files: { readText: withoutConfigs }, createSession: tinySession });
    try {
      const { config } = bare.components;
      expect(config.vaeScaleFactor).toBe(8);
      expect(config.scalingFactor).toBeCloseTo(0.18215, 10);
      expect(config.assumptions?.join(' ')).toMatch(/no VAE config\.json .*assumed the SD-1\.x\/2\.x VAE/);
      expect(config.assumptions?.join(' ')).toMatch(/no unet\/config\.json/);
    } finally {
      await bare.dispose();
    }
    // with the configs the tiny fixture's own values are used and nothing is assumed
    expect(pipeline.components.config.vaeScaleFactor).toBe(2);
    expect(pipeline.components.config.assumptions).toBeUndefined();
  });
});
