// onnxruntime-web in Node resolves to its node build (wasm EP); one thread for determinism.
import * as ort from 'onnxruntime-web';
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
