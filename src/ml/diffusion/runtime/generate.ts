// One img2img generation on a loaded pipeline, with what a job and a benchmark need
// around Img2ImgPipeline.run: per-component timings, a yield to the event loop before
// every UNet step (so a cancel message queued behind a long wasm run is seen between
// steps), and the result in the app's forms (RGB and canonical gray bytes).
import type { TextEncoderModel, VaeDecoderModel, VaeEncoderModel } from '../components';
import type { Denoiser } from '../denoiser';
import { Img2ImgPipeline, type Img2ImgParams, type Img2ImgProgress } from '../pipeline/img2img';
import { rgbToGray } from '../pipeline/image-io';

/** What the worker accepts: the pipeline's parameters, minus the callbacks it wires itself. */
export interface GenerateParams extends Omit<Img2ImgParams, 'signal' | 'onProgress' | 'onIntermediate'> {
  /** also return the NHWC float image in [0, 1] */
  returnFloat?: boolean;
  /** return these intermediates (Img2ImgParams.onIntermediate names), or all of them */
  intermediates?: 'all' | string[];
}

export interface GenerateTimings {
  /** text encoder runs (cond + uncond) */
  encodePromptMs: number;
  vaeEncodeMs: number;
  /** one entry per denoising step: the UNet run (CFG batch) */
  unetStepMs: number[];
  /** per step: everything else in the step (guidance, scheduler, copies) */
  stepOverheadMs: number[];
  vaeDecodeMs: number;
  totalMs: number;
}

export interface GenerateResult {
  width: number;
  height: number;
  /** RGB bytes, row-major HWC */
  rgb: Uint8Array;
  /** 8-bit gray (ITU-R 601 luma), the app's canonical form for radiographs */
  gray: Uint8Array;
  /** NHWC float [0, 1], when returnFloat */
  image?: Float32Array;
  timesteps: number[];
  /** where guidance and the scheduler ran: beside the UNet on the GPU, or on the CPU */
  loop: 'device' | 'host';
  seed?: number;
  timings: GenerateTimings;
  intermediates?: Record<string, Float32Array>;
}

export interface GenerateHooks {
  signal?: AbortSignal;
  onProgress?: (p: Img2ImgProgress) => void;
  /** awaited before every UNet step; a job yields to the event loop here */
  beforeStep?: () => Promise<void>;
}

function timed<T extends object>(target: T, method: keyof T & string, record: (ms: number) => void): T {
  const original = (target[method] as (...a: unknown[]) => Promise<unknown>).bind(target);
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop !== method) return Reflect.get(obj, prop, receiver);
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await original(...args);
        } finally {
          record(performance.now() - t0);
        }
      };
    },
  });
}

export async function generateImage(pipeline: Img2ImgPipeline, params: GenerateParams, hooks: GenerateHooks = {}): Promise<GenerateResult> {
  const timings: GenerateTimings = { encodePromptMs: 0, vaeEncodeMs: 0, unetStepMs: [], stepOverheadMs: [], vaeDecodeMs: 0, totalMs: 0 };
  const c = pipeline.components;
  let stepStart = 0;
  // Before every UNet step: the hook (a job yields to the event loop here), then the cancel check.
  const beforeStep = async () => {
    await hooks.beforeStep?.();
    hooks.signal?.throwIfAborted();
  };
  const timeUnet = async <T>(run: () => Promise<T>): Promise<T> => {
    await beforeStep();
    const t0 = performance.now();
    const out = await run();
    timings.unetStepMs.push(performance.now() - t0);
    return out;
  };
  const inner = c.denoiser;
  const denoiser: Denoiser = {
    predictNoise: (...args) => timeUnet(() => inner.predictNoise(...args)),
    guidanceEmbeddingDim: inner.guidanceEmbeddingDim,
    deviceLoop: inner.deviceLoop
      ? () => {
          const loop = inner.deviceLoop!();
          if (!loop) return undefined;
          // On the device a run returns once its work is queued, so these times are queueing
          // times, not GPU times; totalMs is the honest figure.
          return {
            start: (...a) => loop.start(...a),
            predict: (...a) => timeUnet(() => loop.predict(...a)),
            advance: (...a) => loop.advance(...a),
            read: (what) => loop.read(what),
            dispose: () => loop.dispose(),
          };
        }
      : undefined,
    dispose: () => inner.dispose(),
  };
  const instrumented = new Img2ImgPipeline({
    ...c,
    textEncoder: timed<TextEncoderModel>(c.textEncoder, 'encode', (ms) => (timings.encodePromptMs += ms)),
    vaeEncoder: timed<VaeEncoderModel>(c.vaeEncoder, 'encode', (ms) => (timings.vaeEncodeMs += ms)),
    vaeDecoder: timed<VaeDecoderModel>(c.vaeDecoder, 'decode', (ms) => (timings.vaeDecodeMs += ms)),
    denoiser,
  });

  const wanted = params.intermediates;
  const intermediates: Record<string, Float32Array> | undefined = wanted ? {} : undefined;
  const run: Img2ImgParams = {
    image: params.image,
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    strength: params.strength,
    numInferenceSteps: params.numInferenceSteps,
    guidanceScale: params.guidanceScale,
    eta: params.eta,
    width: params.width,
    height: params.height,
    seed: params.seed,
    noise: params.noise,
    deviceLoop: params.deviceLoop,
    signal: hooks.signal,
    onProgress: (p) => {
      // A step's overhead = time from the end of its UNet run to the start of the next step.
      if (p.stage === 'denoise' || p.stage === 'decode') {
        const now = performance.now();
        if (p.done > 0) timings.stepOverheadMs.push(now - stepStart - (timings.unetStepMs[p.done - 1] ?? 0));
        stepStart = now;
      }
      hooks.onProgress?.(p);
    },
    onIntermediate: intermediates
      ? (name, data) => {
          if (wanted === 'all' || wanted!.includes(name)) intermediates[name] = data.slice();
        }
      : undefined,
  };
  const t0 = performance.now();
  const result = await instrumented.run(run);
  timings.totalMs = performance.now() - t0;
  return {
    width: result.width,
    height: result.height,
    rgb: result.rgb,
    gray: rgbToGray(result.rgb, result.width, result.height),
    image: params.returnFloat ? result.image : undefined,
    timesteps: result.timesteps,
    loop: result.loop,
    seed: params.seed,
    timings,
    intermediates,
  };
}
