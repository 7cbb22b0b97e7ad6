// onnxruntime-web through its native WebGPU EP build. Sessions are created in our own
// worker (ORT's proxy worker does not work with the WebGPU EP; STACK-NOTES.md).
import * as ort from 'onnxruntime-web/webgpu';
import type { BackendOutcome, OrtProviderName } from '../../core/backends';
import { baseUrl, isRealLoss, type DeviceLostListener } from './tfjs-setup';

let configured = false;
let deviceWatched = false;

export function configureOrt(): typeof ort {
  if (!configured) {
    const vendor = new URL('vendor/ort/', baseUrl()).href;
    ort.env.wasm.wasmPaths = {
      mjs: `${vendor}ort-wasm-simd-threaded.asyncify.mjs`,
      wasm: `${vendor}ort-wasm-simd-threaded.asyncify.wasm`,
    };
    ort.env.wasm.proxy = false;
    ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    ort.env.logLevel = 'error';
    configured = true;
  }
  return ort;
}

export interface OrtSessionResult {
  session: ort.InferenceSession;
  outcome: BackendOutcome<OrtProviderName>;
}

/** Creates a session on the first provider in `order` that accepts the model. */
export async function createOrtSession(
  model: Uint8Array,
  order: OrtProviderName[],
  options: ort.InferenceSession.SessionOptions = {},
  onDeviceLost?: DeviceLostListener,
): Promise<OrtSessionResult> {
  configureOrt();
  const attempts: BackendOutcome<OrtProviderName>['attempts'] = [];
  for (const provider of order) {
    try {
      const session = await ort.InferenceSession.create(model, { ...options, executionProviders: [provider] });
      attempts.push({ backend: provider, ok: true });
      if (provider === 'webgpu' && onDeviceLost && !deviceWatched) {
        deviceWatched = true;
        // The typings say Promise<GPUDevice>; 1.30 hands back the device itself once initialised.
        void Promise.resolve(ort.env.webgpu.device as GPUDevice | Promise<GPUDevice>)
          .then((d) => d?.lost.then((info) => isRealLoss(info) && onDeviceLost(`ORT WebGPU device lost (${info.reason}): ${info.message}`)))
          .catch(() => undefined);
      }
      return { session, outcome: { active: provider, attempts } };
    } catch (e) {
      attempts.push({ backend: provider, ok: false, reason: (e as Error).message || String(e) });
    }
  }
  const detail = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
  throw new Error(`no ONNX Runtime execution provider could load the model (${detail})`);
}
