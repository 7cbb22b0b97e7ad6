// onnxruntime-web in Node resolves to its node build (wasm EP); one thread for determinism.
import * as ort from 'onnxruntime-web';
import { deviceLoops } from '../../../src/ml/diffusion/runtime/device-denoise-loop';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TINY } from './fixtures';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

export { ort };

export async function tinySession(component: string): Promise<ort.InferenceSession> {
  const bytes = readFileSync(resolve(TINY, component, 'model.onnx'));
  return ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: ['wasm'] });
}

/** Device loops on the wasm EP with host tensors as the "device" copies (nothing to free). */
export function wasmDeviceLoops() {
  return deviceLoops(ort, { provider: 'wasm', upload: (tensor) => ({ tensor, release: () => undefined }), queued: async () => undefined });
}
