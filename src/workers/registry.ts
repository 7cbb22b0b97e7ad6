// The one place that creates workers. Each factory uses a literal `new URL(…)` so Vite
// bundles the worker; callers get a typed Comlink remote and never touch Worker directly.
import * as Comlink from 'comlink';
import type { AccelApi } from './accel.worker';
import type { ClassifierApi } from './classifier.worker';
import type { DataApi } from './data.worker';
import type { DiffusionApi } from './diffusion.worker';
import type { ModelsApi } from './models.worker';
import type { QualityApi } from './quality.worker';
import type { StatsApi } from './stats.worker';

export interface WorkerApis {
  accel: AccelApi;
  classifier: ClassifierApi;
  data: DataApi;
  diffusion: DiffusionApi;
  models: ModelsApi;
  quality: QualityApi;
  stats: StatsApi;
}

const factories: { [K in keyof WorkerApis]: () => Worker } = {
  accel: () => new Worker(new URL('./accel.worker.ts', import.meta.url), { type: 'module', name: 'accel' }),
  classifier: () => new Worker(new URL('./classifier.worker.ts', import.meta.url), { type: 'module', name: 'classifier' }),
  data: () => new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' }),
  diffusion: () => new Worker(new URL('./diffusion.worker.ts', import.meta.url), { type: 'module', name: 'diffusion' }),
  models: () => new Worker(new URL('./models.worker.ts', import.meta.url), { type: 'module', name: 'models' }),
  quality: () => new Worker(new URL('./quality.worker.ts', import.meta.url), { type: 'module', name: 'quality' }),
  stats: () => new Worker(new URL('./stats.worker.ts', import.meta.url), { type: 'module', name: 'stats' }),
};

const live = new Map<keyof WorkerApis, { worker: Worker; remote: Comlink.Remote<unknown> }>();

export function getWorker<K extends keyof WorkerApis>(name: K): Comlink.Remote<WorkerApis[K]> {
  let entry = live.get(name);
  if (!entry) {
    const worker = factories[name]();
    entry = { worker, remote: Comlink.wrap<WorkerApis[K]>(worker) };
    live.set(name, entry);
  }
  return entry.remote as Comlink.Remote<WorkerApis[K]>;
}

/** Ends a worker (e.g. to free GPU memory); the next getWorker starts a fresh one. */
export function terminateWorker(name: keyof WorkerApis): void {
  const entry = live.get(name);
  if (!entry) return;
  entry.remote[Comlink.releaseProxy]();
  entry.worker.terminate();
  live.delete(name);
}

export const proxy = Comlink.proxy;
