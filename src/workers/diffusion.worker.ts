// Diffusion worker: a thin Comlink facade over ml/diffusion/runtime. Holds at most one
// loaded pipeline (its ORT sessions live on this worker's WebGPU device); generations run
// one at a time as jobs with per-step progress and cancellation between steps.
import * as Comlink from 'comlink';
import { chooseRunOrtProviders } from '../core/backends';
import { JobCancelledError, type ProgressSink } from '../core/jobs';
import { detectWebGpu } from '../ml/backend/webgpu-info';
import {
  generateImage,
  loadDiffusionPipeline,
  type GenerateParams,
  type GenerateResult,
  type LoadedPipeline,
  type LoadPipelineOptions,
  type ModelSource,
  type PipelineInfo,
} from '../ml/diffusion/runtime';
import { runSynthesisJob, type LoadedModel, type SynthesisEngine, type SynthesisRequest, type SynthesisResult } from '../ml/diffusion/synthesis/synthesis-job';
import type { SchedulerKind } from '../ml/diffusion/schedulers';
import { getModel, ModelNotReadyError } from '../storage/model-store';
import type { SynthesisModelRef } from '../storage/synthetic-repo';
import { JobHost, yieldToEvents } from './job-host';

export type { GenerateParams, GenerateResult, LoadPipelineOptions, ModelSource, PipelineInfo, SynthesisRequest, SynthesisResult };

export interface WorkerMemory {
  /** performance.memory of this worker (Chrome only; JS heap, not wasm or GPU memory) */
  jsHeapUsedBytes: number | null;
  jsHeapTotalBytes: number | null;
}

const STAGE_LABELS = { 'encode-prompt': 'encoding the prompt', 'encode-image': 'encoding the source image', denoise: 'denoising', decode: 'decoding' } as const;

const host = new JobHost();
let loaded: LoadedPipeline | null = null;
/** What the synthesis job loaded (model, scheduler, provider), so the next run with the same choice reuses it. */
let loadedFor: { key: string; model: LoadedModel } | null = null;
let deviceLostListener: ((message: string) => void) | null = null;
// Loads, generations and unloads are serialised: a session must not be released while
// a generation is running on it.
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

function requireLoaded(): LoadedPipeline {
  if (!loaded) throw new Error('no diffusion pipeline is loaded: call loadPipeline first');
  return loaded;
}

function transferables(r: GenerateResult): Transferable[] {
  const list: Transferable[] = [r.rgb.buffer, r.gray.buffer];
  if (r.image) list.push(r.image.buffer);
  for (const a of Object.values(r.intermediates ?? {})) list.push(a.buffer);
  return list as Transferable[];
}

const api = {
  /** Loads a pipeline (replacing any loaded one) and describes it. */
  async loadPipeline(source: ModelSource, options: LoadPipelineOptions = {}): Promise<PipelineInfo> {
    return exclusive(async () => {
      if (loaded) {
        const old = loaded;
        loaded = null;
        await old.dispose();
      }
      loadedFor = null;
      loaded = await loadDiffusionPipeline(source, options, { onDeviceLost: (m) => deviceLostListener?.(m) });
      return loaded.info;
    });
  },

  info(): PipelineInfo | null {
    return loaded?.info ?? null;
  },

  /** Job: one img2img generation. Progress per denoising step; cancel(jobId) stops it between steps. */
  async generate(jobId: string, params: GenerateParams, sink: ProgressSink): Promise<GenerateResult> {
    const result = await host.run(jobId, sink, (ctx) =>
      exclusive(async () => {
        ctx.throwIfCancelled();
        const { pipeline } = requireLoaded();
        try {
          return await generateImage(pipeline, params, {
            signal: ctx.signal,
            beforeStep: async () => {
              await yieldToEvents();
              ctx.throwIfCancelled();
            },
            onProgress: (p) => {
              const message = p.stage === 'denoise' ? `step ${p.done + 1} of ${p.total} (t = ${p.timestep})` : STAGE_LABELS[p.stage];
              ctx.progress(p.stage, p.done, p.total, message);
            },
          });
        } catch (e) {
          // The pipeline stops with the signal's AbortError; the job protocol wants its own error.
          if (ctx.signal.aborted) throw new JobCancelledError();
          throw e;
        }
      }),
    );
    return Comlink.transfer(result, transferables(result));
  },

  /**
   * Job: a synthesis run (or its resume) — img2img from NORMAL training images, each output
   * stored with provenance. Progress in UNet steps over the whole run; cancel(jobId) stops
   * between steps and leaves every finished image stored and checkpointed.
   */
  async synthesize(jobId: string, req: SynthesisRequest, sink: ProgressSink): Promise<SynthesisResult> {
    return host.run(jobId, sink, (ctx) =>
      exclusive(async () => {
        try {
          return await runSynthesisJob({ ...req, jobId: req.jobId ?? jobId }, ctx, synthesisEngine(ctx.signal, () => ctx.throwIfCancelled()));
        } catch (e) {
          if (ctx.signal.aborted) throw new JobCancelledError();
          throw e;
        }
      }),
    );
  },

  /** CLIP token ids [77] of `text` as the loaded pipeline feeds them to its text encoder. */
  tokenize(text: string): Int32Array {
    const { tokenizer, config } = requireLoaded().pipeline.components;
    return tokenizer.tokenize(text, { padId: config.padTokenId ?? tokenizer.eosId });
  },

  /** Releases every session (GPU and wasm memory). */
  async unload(): Promise<void> {
    return exclusive(async () => {
      const old = loaded;
      loaded = null;
      loadedFor = null;
      await old?.dispose();
    });
  },

  cancel(jobId: string): boolean {
    return host.cancel(jobId);
  },

  memory(): WorkerMemory {
    const m = (performance as Performance & { memory?: { usedJSHeapSize: number; totalJSHeapSize: number } }).memory;
    return { jsHeapUsedBytes: m?.usedJSHeapSize ?? null, jsHeapTotalBytes: m?.totalJSHeapSize ?? null };
  },

  onDeviceLost(listener: (message: string) => void): void {
    deviceLostListener = listener;
  },
};

/** SHA-256 over the sorted `path sha256` lines of a ready model's verified files. */
async function modelHash(files: Record<string, { sha256: string | null }>): Promise<string> {
  const lines = Object.entries(files).map(([path, f]) => `${path} ${f.sha256}`).sort().join('\n');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(lines));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The store's record of a model that is ready and of the kind a run needs. */
async function readyModel(id: string, kind: 'diffusion-pipeline' | 'vae') {
  const rec = await getModel(id);
  if (!rec) throw new ModelNotReadyError(id, 'it is not in the model store');
  if (rec.status !== 'ready') throw new ModelNotReadyError(id, `its status is ${rec.status}`);
  if (rec.kind !== kind) throw new Error(`model ${rec.id} is a ${rec.kind}, not a ${kind === 'vae' ? 'VAE' : 'diffusion pipeline'}`);
  return rec;
}

// Runs inside exclusive() (the synthesis job holds the queue), so it loads directly.
function synthesisEngine(signal: AbortSignal, throwIfCancelled: () => void): SynthesisEngine {
  return {
    async checkProvider(provider) {
      chooseRunOrtProviders(await detectWebGpu(), provider);
    },
    async ensurePipeline(model: SynthesisModelRef, scheduler: SchedulerKind | undefined, provider, vaeModelId?: string) {
      const key = JSON.stringify([model, scheduler, provider, vaeModelId ?? null]);
      if (loaded && loadedFor?.key === key) return loadedFor.model;
      let source: ModelSource;
      let modelId: string;
      let hash: string | null = null;
      if (model.kind === 'store') {
        const rec = await readyModel(model.modelId, 'diffusion-pipeline');
        source = { kind: 'opfs', modelId: rec.id };
        modelId = rec.id;
        hash = await modelHash(rec.files);
      } else {
        source = { kind: 'url', baseUrl: model.baseUrl, files: model.files };
        modelId = model.baseUrl;
      }
      let vae: LoadedModel['vae'];
      if (vaeModelId) {
        const rec = await readyModel(vaeModelId, 'vae');
        vae = { modelId: rec.id, modelHash: await modelHash(rec.files) };
      }
      if (loaded) {
        const old = loaded;
        loaded = null;
        loadedFor = null;
        await old.dispose();
      }
      loaded = await loadDiffusionPipeline(source, { provider, scheduler, vae: vae ? { kind: 'opfs', modelId: vae.modelId } : undefined }, { onDeviceLost: (m) => deviceLostListener?.(m) });
      const lm: LoadedModel = { info: loaded.info, modelId, modelSource: model.kind, modelHash: hash, vae };
      loadedFor = { key, model: lm };
      return lm;
    },
    generate(params, onProgress) {
      return generateImage(requireLoaded().pipeline, params, {
        signal,
        beforeStep: async () => {
          await yieldToEvents();
          throwIfCancelled();
        },
        onProgress,
      });
    },
  };
}

export type DiffusionApi = typeof api;
Comlink.expose(api);
