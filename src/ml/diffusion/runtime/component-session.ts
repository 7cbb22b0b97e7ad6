// One ONNX component (<component>/model.onnx) → an ORT session on the best execution
// provider that accepts it. Before creating anything, the model file is scanned
// (onnx-model-info.ts) so that fp16 graphs on adapters without shader-f16 and missing
// external-data files fail with an error that says what to do, not with an ORT kernel or
// file-system message.
import type { OrtProviderName } from '../../../core/backends';
import { formatBytes } from '../../../core/format';
import { createOrtSession } from '../../backend/ort-setup';
import type { DeviceLostListener } from '../../backend/tfjs-setup';
import type { OnnxComponentName } from '../onnx/load-onnx-pipeline';
import type { OrtSession } from '../onnx/ort-types';
import { ModelFileError, type ModelFiles } from './model-files';
import { OnnxFormatError, readOnnxModelInfo, WEBGPU_CPU_FALLBACK_OPS, type OnnxModelInfo, type OnnxValueInfo } from './onnx-model-info';

export class Float16UnsupportedError extends Error {
  override name = 'Float16UnsupportedError';
}

export interface ProviderAttempt {
  provider: OrtProviderName;
  ok: boolean;
  reason?: string;
}

export interface ComponentInfo {
  provider: OrtProviderName;
  attempts: ProviderAttempt[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** external-data files the graph references (relative to its folder) */
  externalData: string[];
  float16: boolean;
  /** operators ORT's WebGPU EP runs on the CPU (slow round trips), when on webgpu */
  cpuFallbackOps: string[];
  modelBytes: number;
  opsetVersion: number | undefined;
}

export interface ComponentSessionRequest {
  files: ModelFiles;
  component: OnnxComponentName;
  /** providers to try, best first (core/backends chooseOrtProviders) */
  providers: OrtProviderName[];
  /** the WebGPU adapter offers shader-f16 */
  shaderF16: boolean;
  /**
   * Outputs to leave in GPU buffers on the WebGPU EP (ORT `preferredOutputLocation`);
   * ignored on wasm. The reader must download them (tensor.getData). 'all': every
   * graph output (names differ between exporters).
   */
  gpuOutputs?: 'all' | readonly string[];
  onDeviceLost?: DeviceLostListener;
  /**
   * Shared by the components of one pipeline: weight bytes already placed on the wasm EP
   * and the most the WebAssembly heap can take. wasm32 memory ends at 4 GiB, and ORT holds
   * the model and its weights there, so a pipeline above that fails deep inside ORT
   * (an abort or a failed allocation) after minutes of loading; this says so up front.
   */
  wasmHeap?: WasmHeapBudget;
}

export interface WasmHeapBudget {
  usedBytes: number;
  limitBytes: number;
}

/** What a pipeline's weights may take on the wasm EP: 4 GiB less room for activations and ORT itself. */
export const WASM_WEIGHT_LIMIT_BYTES = 3.5 * 1024 ** 3;


export interface ComponentSession {
  session: OrtSession;
  info: ComponentInfo;
}

function fp16Message(path: string, providers: OrtProviderName[], shaderF16: boolean): string {
  const why = !providers.includes('webgpu')
    ? 'WebGPU is not in use here (no adapter, or wasm was chosen for the run), and the WebAssembly backend has no float16 kernels for most of its operators'
    : !shaderF16
      ? 'this GPU adapter does not offer the WebGPU feature "shader-f16"'
      : '';
  return `${path} computes in float16, which needs a WebGPU adapter with the "shader-f16" feature; ${why}. Use an fp32 or int8 variant of this model instead.`;
}

export async function createComponentSession(req: ComponentSessionRequest): Promise<ComponentSession> {
  const { files, component } = req;
  const path = `${component}/model.onnx`;
  const bytes = await files.readBytes(path);
  if (!bytes) throw new ModelFileError(`the pipeline at ${files.label} has no ${path}`);
  let model: OnnxModelInfo;
  try {
    model = readOnnxModelInfo(bytes);
  } catch (e) {
    if (e instanceof OnnxFormatError) throw new OnnxFormatError(`${path} (${bytes.length} bytes) is ${e.message}`);
    throw e;
  }

  let providers = req.providers;
  if (model.usesFloat16) {
    if (!providers.includes('webgpu') || !req.shaderF16) throw new Float16UnsupportedError(fp16Message(path, providers, req.shaderF16));
    // No silent fallback to wasm for fp16: it would fail on a missing kernel or crawl.
    providers = ['webgpu'];
  }

  const externalData: { path: string; data: Blob | string }[] = [];
  for (const location of model.externalDataFiles) {
    const data = await files.getFile(`${component}/${location}`);
    if (data === undefined) {
      throw new ModelFileError(`${path} keeps its weights in the external file "${component}/${location}", which is missing from ${files.label}`);
    }
    // `path` must equal the location string inside the graph.
    externalData.push({ path: location, data });
  }

  // Sizes are known for stored (OPFS) files; a URL's size is not, and counts as 0.
  const weightBytes = bytes.length + externalData.reduce((sum, d) => sum + (typeof d.data === 'string' ? 0 : d.data.size), 0);
  const { entries: ortExternalData, release: releaseUrls } = externalDataForOrt(externalData);
  try {
    return await createOnProviders(req, path, bytes, model, providers, ortExternalData, weightBytes);
  } finally {
    releaseUrls();
  }
}

/**
 * ORT reads a Blob of external data with blob.arrayBuffer(), which Chrome refuses for
 * files above ~2 GiB (NotReadableError — measured here with a 2.25 GiB OPFS file), while a
 * URL with a Content-Length of 1 GiB or more it streams into one large buffer. So large
 * stored files (SD-1.5's 3.4 GB unet/weights.pb) go to ORT as blob: URLs, revoked once the
 * session exists.
 */
export const EXTERNAL_DATA_URL_BYTES = 2 ** 30;

export function externalDataForOrt(entries: { path: string; data: Blob | string }[]): { entries: { path: string; data: Blob | string }[]; release: () => void } {
  const urls: string[] = [];
  const out = entries.map((e) => {
    if (typeof e.data === 'string' || e.data.size < EXTERNAL_DATA_URL_BYTES) return e;
    const url = URL.createObjectURL(e.data);
    urls.push(url);
    return { path: e.path, data: url };
  });
  return { entries: out, release: () => urls.forEach((u) => URL.revokeObjectURL(u)) };
}

async function createOnProviders(
  req: ComponentSessionRequest,
  path: string,
  bytes: Uint8Array,
  model: OnnxModelInfo,
  providers: OrtProviderName[],
  externalData: { path: string; data: Blob | string }[],
  weightBytes: number,
): Promise<ComponentSession> {
  const attempts: ProviderAttempt[] = [];
  for (const provider of providers) {
    const heap = req.wasmHeap;
    if (provider === 'wasm' && heap && heap.usedBytes + weightBytes > heap.limitBytes) {
      attempts.push({
        provider,
        ok: false,
        reason:
          `wasm: its weights (${formatBytes(weightBytes)})${heap.usedBytes ? ` on top of the components already on wasm (${formatBytes(heap.usedBytes)})` : ''} ` +
          `exceed the ${formatBytes(heap.limitBytes)} the WebAssembly heap can hold (4 GB at most). Run it on WebGPU, or use a smaller variant — ` +
          'the Models page makes int8 or 4-bit copies of a stored pipeline (about a quarter of the size or less)',
      });
      continue;
    }
    const wanted = req.gpuOutputs === 'all' ? model.outputs.map((o) => o.name) : req.gpuOutputs;
    const gpuOutputs = provider === 'webgpu' && wanted?.length ? wanted : undefined;
    try {
      const { session } = await createOrtSession(
        bytes,
        [provider],
        {
          ...(externalData.length ? { externalData } : {}),
          ...(gpuOutputs ? { preferredOutputLocation: Object.fromEntries(gpuOutputs.map((n) => [n, 'gpu-buffer' as const])) } : {}),
          graphOptimizationLevel: 'all',
        },
        req.onDeviceLost,
      );
      attempts.push({ provider, ok: true });
      if (provider === 'wasm' && heap) heap.usedBytes += weightBytes;
      return {
        session,
        info: {
          provider,
          attempts,
          inputs: model.inputs,
          outputs: model.outputs,
          externalData: model.externalDataFiles,
          float16: model.usesFloat16,
          cpuFallbackOps: provider === 'webgpu' ? model.opTypes.filter((op) => WEBGPU_CPU_FALLBACK_OPS.includes(op)) : [],
          modelBytes: bytes.length,
          opsetVersion: model.opsetVersion,
        },
      };
    } catch (e) {
      // createOrtSession wraps the ORT message as "… (webgpu: <reason>)"; keep the reason.
      const message = (e as Error).message ?? String(e);
      attempts.push({ provider, ok: false, reason: message.replace(/^no ONNX Runtime execution provider could load the model \((.*)\)$/s, '$1') });
    }
  }
  throw new Error(`${path}: no execution provider could load it (${attempts.map((a) => a.reason).join('; ')})`);
}
