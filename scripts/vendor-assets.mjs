// Runtime files (wasm and their loaders) that must be served from the app's own
// origin so the app never reaches a CDN. Shared by the Vite plugin (dev + build).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const nm = (p) => resolve(root, 'node_modules', p);

/** url path under the app root → absolute source file */
export const vendorFiles = {
  // onnxruntime-web/webgpu (native WebGPU EP) runs both the WebGPU and wasm EPs on the asyncify build.
  'vendor/ort/ort-wasm-simd-threaded.asyncify.mjs': nm('onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.mjs'),
  'vendor/ort/ort-wasm-simd-threaded.asyncify.wasm': nm('onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.wasm'),
  'vendor/tfjs/tfjs-backend-wasm.wasm': nm('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
  'vendor/tfjs/tfjs-backend-wasm-simd.wasm': nm('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
  'vendor/tfjs/tfjs-backend-wasm-threaded-simd.wasm': nm('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm'),
};

export function readVendorFile(urlPath) {
  const src = vendorFiles[urlPath];
  if (!src || !existsSync(src)) return null;
  return readFileSync(src);
}
