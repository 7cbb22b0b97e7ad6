// Test-build only page (vite --mode test): exposes the app's worker APIs to Playwright
// so browser tests drive the same code paths as the app, inside real workers.
import { getWorker, proxy, terminateWorker } from '../../../src/workers/registry';
import { stores } from '../../../src/storage/stores';
import { createRepository } from '../../../src/storage/repository';
import * as modelStore from '../../../src/storage/model-store';
import * as datasetRepo from '../../../src/storage/dataset-repo';
import * as classifierRuns from '../../../src/storage/classifier-runs';
import { classifierReference } from './classifier-reference';
import * as syntheticRepo from '../../../src/storage/synthetic-repo';
import { startDataImport, startDemoDataset, startSynthesis, startSynthesisQuality } from '../../../src/ui/jobs';
import { runSynthesisJob } from '../../../src/ml/diffusion/synthesis/synthesis-job';
import { JobCancelledError } from '../../../src/core/jobs';

const harness = {
  accel: () => getWorker('accel'),
  diffusion: () => getWorker('diffusion'),
  models: () => getWorker('models'),
  classifier: () => getWorker('classifier'),
  /** Ends the classifier worker (frees its backend); tests use it to simulate a reload. */
  terminateClassifier: () => terminateWorker('classifier'),
  data: () => getWorker('data'),
  datasetRepo,
  classifierRuns,
  /** tfjs on the page: reference computations for the classifier tests */
  classifierReference,
  /** the UI's launchers, so tests run imports as jobs exactly as the Data page does */
  startDataImport,
  startDemoDataset,
  stats: () => getWorker('stats'),
  quality: () => getWorker('quality'),
  syntheticRepo,
  /** the Synthesis page's launchers */
  startSynthesis,
  startSynthesisQuality,
  /** the synthesis job body on the page, for tests that script its engine */
  runSynthesisJob,
  JobCancelledError,
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
