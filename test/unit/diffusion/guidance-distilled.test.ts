// Guidance-distilled UNets (LCM: optimum exports them with a `timestep_cond` input) are
// guided through the guidance-scale embedding and run without CFG, on the host loop and on
// the device loop alike.
import { describe, expect, it } from 'vitest';
import { loadOnnxImg2ImgPipeline, type Img2ImgPipeline } from '../../../src/ml/diffusion';
import { guidanceScaleEmbedding } from '../../../src/ml/diffusion/pipeline/guidance';
import { maxAbsDiff, refU8 } from './fixtures';
import { guidanceDistilledUnetModel } from './onnx-test-models';
import { ort, tinySession, wasmDeviceLoops } from './ort-node';
import { readTinyPipelineText } from './tiny-reference';

/** diffusers' get_guidance_scale_embedding in float64. */
function embeddingF64(guidanceScale: number, dim: number): number[] {
  const w = (guidanceScale - 1) * 1000;
  const half = Math.floor(dim / 2);
  const freqs = Array.from({ length: half }, (_, k) => Math.exp((-k * Math.log(10000)) / (half - 1)));
  const out = [...freqs.map((f) => Math.sin(w * f)), ...freqs.map((f) => Math.cos(w * f))];
  return dim % 2 ? [...out, 0] : out;
}

describe('guidance-scale embedding', () => {
  it('equals the float64 formula to float32 precision, for LCM-Dreamshaper\'s width 256 and an odd width', () => {
    for (const [w, dim] of [[8, 256], [1.5, 256], [4, 7]] as const) {
      const got = guidanceScaleEmbedding(w, dim);
      const want = embeddingF64(w, dim);
      expect(got).toHaveLength(dim);
      // sin/cos of arguments up to 7000 in float32: the argument's own rounding dominates
      expect(maxAbsDiff(got, want)).toBeLessThan(2e-3);
    }
    expect(guidanceScaleEmbedding(4, 7)[6]).toBe(0);
  });

  it('is sin 0 = 0 and cos 0 = 1 at guidance 1 (w = 0)', () => {
    const e = guidanceScaleEmbedding(1, 8);
    expect(Array.from(e)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

const WIDTH = 8;
const image = { data: refU8('img2img/init_image_u8_hwc'), width: 64, height: 64, channels: 3 as const };
const params = { image, prompt: 'a pediatric chest x-ray showing pneumonia', negativePrompt: 'blurry', strength: 0.8, numInferenceSteps: 4, guidanceScale: 8, seed: 11 };

function withUnet(model: Uint8Array, unetConfig?: Record<string, unknown>, device = false) {
  return loadOnnxImg2ImgPipeline({
    ort,
    files: { readText: async (p) => (p === 'unet/config.json' && unetConfig ? JSON.stringify(unetConfig) : readTinyPipelineText(p)) },
    createSession: (c) => (c === 'unet' ? ort.InferenceSession.create(model, { executionProviders: ['wasm'] }) : tinySession(c)),
    scheduler: 'lcm',
    unet: device ? { deviceLoop: wasmDeviceLoops() } : undefined,
  });
}

async function traced(pipeline: Img2ImgPipeline) {
  const seen = new Map<string, Float32Array>();
  try {
    const out = await pipeline.run({ ...params, onIntermediate: (name, data) => void seen.set(name, data.slice()) });
    return { out, seen };
  } finally {
    await pipeline.dispose();
  }
}

describe('pipeline with a guidance-distilled UNet (tiny components, wasm)', () => {
  it('feeds timestep_cond = the embedding of the guidance scale, batch 1: no CFG, no negative prompt', async () => {
    const pipeline = await withUnet(guidanceDistilledUnetModel(WIDTH));
    expect(pipeline.components.denoiser.guidanceEmbeddingDim).toBe(WIDTH);
    const { out, seen } = await traced(pipeline);
    const emb = guidanceScaleEmbedding(params.guidanceScale, WIDTH);
    expect(seen.get('timestep_cond')).toEqual(emb);
    expect(seen.has('negative_prompt_embeds')).toBe(false);
    const input = seen.get('step0/unet_input')!;
    expect(input).toHaveLength(4 * 32 * 32);
    const mean = emb.reduce((a, b) => a + b, 0) / WIDTH;
    const expected = input.map((v) => Math.fround(v * 0.1) + mean);
    expect(maxAbsDiff(seen.get('step0/unet_output')!, expected)).toBeLessThan(1e-5);
    expect(out.loop).toBe('host');
    // LatentConsistencyModelImg2ImgPipeline's timesteps: all 4 steps inside the first 0.8 of
    // the 50-step distillation schedule (StableDiffusionImg2Img's rule would run ⌊4·0.8⌋ = 3).
    expect(out.timesteps).toEqual([799, 599, 399, 199]);
  });

  it('gives the same image through the device loop', async () => {
    const host = await traced(await withUnet(guidanceDistilledUnetModel(WIDTH)));
    const device = await traced(await withUnet(guidanceDistilledUnetModel(WIDTH), undefined, true));
    expect(device.out.loop).toBe('device');
    expect(maxAbsDiff(device.out.latents, host.out.latents)).toBeLessThan(1e-5);
  });

  it('takes the width from unet/config.json (time_cond_proj_dim) when the export leaves it dynamic, and says what is missing otherwise', async () => {
    const tinyUnetConfig = JSON.parse((await readTinyPipelineText('unet/config.json'))!);
    const pipeline = await withUnet(guidanceDistilledUnetModel('dynamic'), { ...tinyUnetConfig, time_cond_proj_dim: WIDTH });
    expect(pipeline.components.denoiser.guidanceEmbeddingDim).toBe(WIDTH);
    await pipeline.dispose();
    await expect(withUnet(guidanceDistilledUnetModel('dynamic'))).rejects.toThrow(/takes 'timestep_cond'.*time_cond_proj_dim.*width/);
  });

  it('refuses a timestep_cond that is not a float tensor', async () => {
    await expect(withUnet(guidanceDistilledUnetModel(WIDTH, 'int64'))).rejects.toThrow(/'timestep_cond' has element type int64/);
  });
});
