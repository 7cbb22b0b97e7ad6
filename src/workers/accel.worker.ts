// Accelerator worker: detects WebGPU, brings up tfjs and ORT backends, runs self-checks.
import * as Comlink from 'comlink';
import { chooseOrtProviders, chooseTfjsBackends, type BackendSettings, type GpuAdapterInfo, type BackendOutcome, type TfjsBackendName, type OrtProviderName, type BackendChoice } from '../core/backends';
import type { ProgressSink } from '../core/jobs';
import { detectWebGpu } from '../ml/backend/webgpu-info';
import { initTfjs } from '../ml/backend/tfjs-setup';
import { createOrtSession, configureOrt } from '../ml/backend/ort-setup';
import { trainTinyConvNet } from '../ml/backend/self-check-tfjs';
import { buildTinyOnnxModel } from '../ml/backend/tiny-onnx';
import { JobHost, yieldToEvents } from './job-host';
import { maxRelativeDifference } from '../core/numeric';

export interface AccelReport {
  gpu: GpuAdapterInfo;
  tfjs: { choice: BackendChoice<TfjsBackendName>; outcome: BackendOutcome<TfjsBackendName> };
  ort: { choice: BackendChoice<OrtProviderName>; outcome: BackendOutcome<OrtProviderName> };
  crossOriginIsolated: boolean;
  userAgent: string;
}

export interface TfjsCheckResult {
  backend: string;
  reference: string;
  steps: number;
  lossesBackend: number[];
  lossesReference: number[];
  maxRelDiffLoss: number;
  maxRelDiffWeights: number;
  agree: boolean;
}

export interface OrtCheckResult {
  provider: string;
  reference: string;
  maxRelDiff: number;
  agree: boolean;
  outputs: { provider: number[]; reference: number[] };
}

export interface OrtRunRequest {
  model: Uint8Array;
  feeds: Record<string, { data: Float32Array | BigInt64Array | Int32Array; dims: number[]; type: 'float32' | 'int64' | 'int32' }>;
}

const host = new JobHost();
let lastReport: AccelReport | null = null;
let deviceLostListener: ((message: string) => void) | null = null;
const onDeviceLost = (message: string) => deviceLostListener?.(message);

const api = {
  async detect(settings: BackendSettings): Promise<AccelReport> {
    const gpu = await detectWebGpu();
    const tfChoice = chooseTfjsBackends(gpu, settings.tfjs);
    const tfOutcome = await initTfjs(tfChoice.order, onDeviceLost);
    const ortChoice = chooseOrtProviders(gpu, settings.ort);
    // Probe ORT with the self-check model: an EP that cannot run a conv net is no EP.
    const tiny = buildTinyOnnxModel();
    let ortOutcome: BackendOutcome<OrtProviderName>;
    try {
      const { session, outcome } = await createOrtSession(tiny.bytes, ortChoice.order, {}, onDeviceLost);
      await session.release();
      ortOutcome = outcome;
    } catch (e) {
      ortOutcome = { active: null, attempts: [{ backend: ortChoice.order[0], ok: false, reason: (e as Error).message }] };
    }
    lastReport = {
      gpu,
      tfjs: { choice: tfChoice, outcome: tfOutcome },
      ort: { choice: ortChoice, outcome: ortOutcome },
      crossOriginIsolated: self.crossOriginIsolated,
      userAgent: navigator.userAgent,
    };
    return lastReport;
  },

  onDeviceLost(listener: (message: string) => void) {
    deviceLostListener = listener;
  },

  /** Job: train the tiny conv net on `backend` and on cpu; compare. */
  async tfjsSelfCheck(jobId: string, params: { backend: TfjsBackendName; steps: number; seed: number }, sink: ProgressSink): Promise<TfjsCheckResult> {
    return host.run(jobId, sink, async (ctx) => {
      const total = params.steps * 2;
      const onStep = (offset: number) => async (step: number) => {
        ctx.progress('training tiny conv net', offset + step + 1, total, offset ? 'reference backend: cpu' : `backend: ${params.backend}`);
        await yieldToEvents();
        ctx.throwIfCancelled();
      };
      const a = await trainTinyConvNet(params.backend, { steps: params.steps, seed: params.seed, onStep: onStep(0) });
      const b = await trainTinyConvNet('cpu', { steps: params.steps, seed: params.seed, onStep: onStep(params.steps) });
      const maxRelDiffLoss = maxRelativeDifference(Float32Array.from(a.losses), Float32Array.from(b.losses));
      const maxRelDiffWeights = maxRelativeDifference(a.weights, b.weights);
      return {
        backend: params.backend,
        reference: 'cpu',
        steps: params.steps,
        lossesBackend: a.losses,
        lossesReference: b.losses,
        maxRelDiffLoss,
        maxRelDiffWeights,
        agree: maxRelDiffLoss < 1e-3 && maxRelDiffWeights < 1e-3,
      };
    });
  },

  /** Runs the built-in tiny ONNX model on `provider` and on wasm; compares. */
  async ortSelfCheck(provider: OrtProviderName): Promise<OrtCheckResult> {
    const tiny = buildTinyOnnxModel();
    const n = tiny.inputShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
    const feeds = { [tiny.inputName]: { data: x, dims: [...tiny.inputShape], type: 'float32' as const } };
    const [out, ref] = [await api.ortRun({ model: tiny.bytes, feeds }, provider), await api.ortRun({ model: tiny.bytes, feeds }, 'wasm')];
    const maxRelDiff = maxRelativeDifference(out[tiny.outputName], ref[tiny.outputName]);
    return { provider, reference: 'wasm', maxRelDiff, agree: maxRelDiff < 1e-4, outputs: { provider: [...out[tiny.outputName]], reference: [...ref[tiny.outputName]] } };
  },

  /** Runs any ONNX model once on exactly one provider (no fallback): used by self-checks and tests. */
  async ortRun(req: OrtRunRequest, provider: OrtProviderName): Promise<Record<string, Float32Array>> {
    const ort = configureOrt();
    const { session } = await createOrtSession(req.model, [provider]);
    try {
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const [name, f] of Object.entries(req.feeds)) feeds[name] = new ort.Tensor(f.type, f.data, f.dims);
      const results = await session.run(feeds);
      const out: Record<string, Float32Array> = {};
      for (const [name, t] of Object.entries(results)) out[name] = Float32Array.from(t.data as Float32Array);
      return out;
    } finally {
      await session.release();
    }
  },

  cancel(jobId: string): boolean {
    return host.cancel(jobId);
  },
};

export type AccelApi = typeof api;
Comlink.expose(api);
