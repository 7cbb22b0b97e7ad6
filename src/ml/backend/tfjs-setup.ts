// tfjs backend selection inside a worker: try the chosen order, keep why each failed.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendOutcome, TfjsBackendName } from '../../core/backends';

let wasmPathsSet = false;

export type DeviceLostListener = (message: string) => void;

export async function initTfjs(order: TfjsBackendName[], onDeviceLost?: DeviceLostListener): Promise<BackendOutcome<TfjsBackendName>> {
  if (!wasmPathsSet) {
    // Served by the build from our own origin (scripts/vendor-assets.mjs); never a CDN.
    setWasmPaths(new URL('vendor/tfjs/', baseUrl()).href);
    wasmPathsSet = true;
  }
  const attempts: BackendOutcome<TfjsBackendName>['attempts'] = [];
  for (const backend of order) {
    try {
      if (backend === 'wasm') disableWasmThreads();
      const ok = await withTimeout(tf.setBackend(backend), INIT_TIMEOUT_MS, `${backend} backend did not initialise within ${INIT_TIMEOUT_MS / 1000} s`);
      if (!ok) throw new Error('setBackend returned false');
      await tf.ready();
      // A trivial op proves the backend can compile and run kernels, not just initialise.
      const probe = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.scalar(1)));
      const v = await probe.data();
      probe.dispose();
      if (v[0] !== 2 || v[1] !== 3) throw new Error('probe computation gave wrong numbers');
      attempts.push({ backend, ok: true });
      if (backend === 'webgpu' && onDeviceLost) watchTfjsDevice(onDeviceLost);
      return { active: backend, attempts };
    } catch (e) {
      attempts.push({ backend, ok: false, reason: (e as Error).message || String(e) });
    }
  }
  return { active: null, attempts };
}

const INIT_TIMEOUT_MS = 60_000;

/**
 * tfjs-backend-wasm's threaded build starts its pthread workers from blob: URLs whose
 * inlined code breaks once bundled ("e is not defined"), and its init then never resolves;
 * the single-threaded SIMD build works. Must be set before the wasm backend first initialises.
 */
export function disableWasmThreads(): void {
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } catch {
    // flag not registered (wasm backend not imported): nothing to do
  }
}

/** A backend whose init hangs must become a recorded failure, not a page that waits forever. */
function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * reason 'destroyed' means our own code (or ORT releasing its last session) called
 * device.destroy(): not a failure to report. Anything else (driver reset, GPU removed,
 * out of memory) is.
 */
export function isRealLoss(info: GPUDeviceLostInfo): boolean {
  return info.reason !== 'destroyed';
}

function watchTfjsDevice(onLost: DeviceLostListener): void {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  device?.lost.then((info) => {
    if (isRealLoss(info)) onLost(`tfjs WebGPU device lost (${info.reason}): ${info.message}`);
  });
}

/** The app's base URL as seen from a worker or a page. */
export function baseUrl(): string {
  return new URL(import.meta.env.BASE_URL, self.location.origin).href;
}
