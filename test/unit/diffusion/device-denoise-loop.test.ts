// The device denoising loop (runtime/device-denoise-loop.ts) driven through the whole tiny
// pipeline. Here its "device" is ORT's wasm EP (the browser suite runs it on WebGPU): the
// pipeline, the UNet wrapper, the step graph and the loop's tensor bookkeeping are the
// same code, so diffusers' reference run must come out of it step for step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxImg2ImgPipeline } from '../../../src/ml/diffusion';
import type { OnnxUnetDenoiser } from '../../../src/ml/diffusion/onnx/onnx-unet-denoiser';
import type { SchedulerKind } from '../../../src/ml/diffusion/schedulers';
import { deviceLoops } from '../../../src/ml/diffusion/runtime/device-denoise-loop';
import { maxAbsDiff, refF32, refU8, relErr } from './fixtures';
import { ort, tinySession } from './ort-node';
import { TINY_IMG2IMG_REF, readTinyPipelineText, referenceGenerationParams } from './tiny-reference';

const ref = TINY_IMG2IMG_REF;

/** Counts device tensors handed out and released, to catch leaks. */
function trackedLoops() {
  const live = new Set<object>();
  let queued = 0;
  const loops = deviceLoops(ort, {
    provider: 'wasm',
    upload: (tensor) => {
      const token = {};
      live.add(token);
      return { tensor, release: () => live.delete(token) };
    },
    queued: async () => void queued++,
  });
  return { loops, live, queuedCount: () => queued };
}

function load(scheduler?: SchedulerKind) {
  const tracked = trackedLoops();
  const pipeline = loadOnnxImg2ImgPipeline({
    ort,
    files: { readText: readTinyPipelineText },
    createSession: tinySession,
    scheduler,
    unet: { deviceLoop: tracked.loops },
  });
  return { pipeline, ...tracked };
}

const baseParams = () => ({
  image: { data: refU8('img2img/init_image_u8_hwc'), width: ref.image_size_hw[1], height: ref.image_size_hw[0], channels: 3 as const },
  ...referenceGenerationParams(),
});

describe('denoising loop on the device (step graph on ORT wasm here)', () => {
  let ddim: Awaited<ReturnType<typeof load>['pipeline']>;
  let tracked: ReturnType<typeof load>;
  beforeAll(async () => {
    tracked = load();
    ddim = await tracked.pipeline;
  });
  afterAll(async () => ddim?.dispose());

  it('reproduces diffusers’ img2img step for step (DDIM, CFG, injected noise)', async () => {
    const seen = new Map<string, Float32Array>();
    const result = await ddim.run({
      ...baseParams(),
      noise: { vaePosterior: refF32('img2img/noise_vae_posterior'), addNoise: refF32('img2img/noise_add') },
      onIntermediate: (name, data) => seen.set(name, data.slice()),
    });
    expect(result.loop).toBe('device');
    const report: Record<string, number> = {};
    for (let i = 0; i < ref.timesteps_run.length; i++) {
      for (const what of ['unet_input', 'unet_output', 'noise_pred_guided', 'pred_original_sample', 'latents']) {
        const name = `step${i}/${what}`;
        report[name] = relErr(seen.get(name)!, refF32(`img2img/${name}`));
        expect(report[name], name).toBeLessThanOrEqual(1e-3);
      }
    }
    expect(maxAbsDiff(result.image, refF32('img2img/image_nhwc'))).toBeLessThanOrEqual(2e-3);
    // every uploaded tensor was released, and the loop waited on the queue once per step
    expect(tracked.live.size).toBe(0);
    expect(tracked.queuedCount()).toBe(ref.timesteps_run.length);
  });

  it('without a trace, gives the host loop’s image; deviceLoop: false runs on the host', async () => {
    const params = { ...baseParams(), seed: 21 };
    const device = await ddim.run(params);
    const host = await ddim.run({ ...params, deviceLoop: false });
    expect([device.loop, host.loop]).toEqual(['device', 'host']);
    expect(maxAbsDiff(device.image, host.image)).toBeLessThanOrEqual(2e-3);
    expect(relErr(device.latents, host.latents)).toBeLessThanOrEqual(1e-4);
  });

  it('releases its tensors when a generation is cancelled mid-loop', async () => {
    const controller = new AbortController();
    await expect(
      ddim.run({
        ...baseParams(),
        seed: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'denoise' && p.done === 2) controller.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    expect(tracked.live.size).toBe(0);
  });

  it.each(['euler-ancestral', 'dpm-solver-multistep', 'lcm', 'euler-discrete'] as const)(
    '%s: noise, history and the σ-scaled input reach the step graph (same image as the host loop)',
    async (kind) => {
      const t = load(kind);
      const p = await t.pipeline;
      try {
        const params = { ...baseParams(), numInferenceSteps: kind === 'lcm' ? 4 : 10, strength: kind === 'lcm' ? 1 : 0.5, seed: 9 };
        const device = await p.run(params);
        const host = await p.run({ ...params, deviceLoop: false });
        expect(device.loop).toBe('device');
        expect(device.timesteps.length).toBeGreaterThanOrEqual(3);
        expect(relErr(device.latents, host.latents)).toBeLessThanOrEqual(1e-4);
        expect(t.live.size).toBe(0);
      } finally {
        await p.dispose();
      }
    },
  );

  it('prepare() names why a UNet cannot use the step graph', async () => {
    const fakeUnet = (input: string, output: string) => ({ ioTypes: { input, output } }) as unknown as OnnxUnetDenoiser;
    const { loops } = trackedLoops();
    expect(await loops.prepare(fakeUnet('float32', 'float32'))).toBeUndefined();
    expect(await loops.prepare(fakeUnet('float64', 'float64'))).toMatch(/float64\/float64, not float32 or float16/);
    const failing = deviceLoops({ ...ort, InferenceSession: { create: () => Promise.reject(new Error('no kernel for Gather')) } } as never, {
      provider: 'wasm',
      upload: (tensor) => ({ tensor, release: () => undefined }),
    });
    expect(await failing.prepare(fakeUnet('float16', 'float16'))).toBe('no kernel for Gather');
    await loops.dispose();
  });
});
