// Test-build only page (vite --mode test): exposes the app's worker APIs to Playwright
// so browser tests drive the same code paths as the app, inside real workers.
import { getWorker, proxy } from '../../../src/workers/registry';
import { stores } from '../../../src/storage/stores';
import { createRepository } from '../../../src/storage/repository';
import * as modelStore from '../../../src/storage/model-store';

const harness = {
  accel: () => getWorker('accel'),
  models: () => getWorker('models'),
  stats: () => getWorker('stats'),
  modelStore,
  proxy,
  stores,
  createRepository,
  async fetchBytes(url: string): Promise<Uint8Array> {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  },
};

export type Harness = typeof harness;

(window as unknown as { harness: Harness }).harness = harness;
document.getElementById('ready')!.textContent = 'ready';
