// Classifier worker: fine-tuning, scoring, pooled features and model export (thin facade over
// ml/classifier/training/job.ts). One job at a time uses the tfjs backend.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import type { ProgressSink } from '../core/jobs';
import {
  exportRunModel, runFeaturesJob, runScoreJob, runTrainJob, runTrainStepCheck, setUpBackend,
  type BackendRequest, type FeaturesRequest, type FeaturesResult, type StepCheckRequest, type StepCheckResult, type TrainJobResult, type TrainRequest,
} from '../ml/classifier/training/job';
import { loadNetwork, type WeightsSource } from '../ml/classifier/training/weights-source';
import { sourceIo } from '../ml/classifier/training/job';
import { DEFAULT_HEAD } from '../ml/classifier/inception-v3';
import { JobHost } from './job-host';

const host = new JobHost();

const api = {
  /** Job: fine-tune (or resume) a run; stores the run record, checkpoints and the model. */
  train(jobId: string, req: TrainRequest, sink: ProgressSink): Promise<TrainJobResult> {
    return host.run(jobId, sink, (ctx) => runTrainJob(req, ctx, jobId));
  },

  /**
   * Job: 2048-d global-average-pooled mixed10 features of stored images (`imageIds`, cached) or
   * of given gray images (`images`). The result's buffer is transferred, not copied.
   */
  async pooledFeatures(jobId: string, req: FeaturesRequest, sink: ProgressSink): Promise<FeaturesResult> {
    const r = await host.run(jobId, sink, (ctx) => runFeaturesJob(req, ctx));
    return Comlink.transfer(r, [r.features.buffer as ArrayBuffer]);
  },

  /** Job: sigmoid scores with a finished run's model or an imported fine-tuned model (head required). */
  async score(
    jobId: string,
    req: { runId?: string; source?: WeightsSource; imageIds?: string[]; images?: { width: number; height: number; pixels: Uint8Array }[]; backend?: BackendRequest },
    sink: ProgressSink,
  ): Promise<Float32Array> {
    const r = await host.run(jobId, sink, (ctx) => runScoreJob(req, ctx));
    return Comlink.transfer(r, [r.buffer as ArrayBuffer]);
  },

  /** model.json text + weights.bin bytes of a finished run (tfjs Layers format). */
  async exportModel(runId: string): Promise<{ modelJson: string; weights: ArrayBuffer }> {
    await setUpBackend('auto', false);
    const r = await exportRunModel(runId);
    return Comlink.transfer(r, [r.weights]);
  },

  /** Loads a weights source and says what it is, or throws a WeightImportError naming what is wrong. */
  async inspectWeights(source: WeightsSource, inputSize = 299, headPolicy: 'ignore' | 'require' = 'ignore') {
    await setUpBackend('auto', false);
    const loaded = await loadNetwork(source, { inputSize, head: headPolicy === 'require' ? DEFAULT_HEAD : null, headPolicy }, sourceIo());
    try {
      return { description: loaded.description, weightsHash: loaded.weightsHash, notes: loaded.notes, inputSize: loaded.net.inputSize, variant: loaded.net.variant, headLoaded: loaded.headLoaded };
    } finally {
      loaded.net.model.dispose();
    }
  },

  /** Self-check/test: a few deep training steps on one backend (compare webgpu with cpu). */
  trainStepCheck(req: StepCheckRequest): Promise<StepCheckResult> {
    return runTrainStepCheck(req);
  },

  /** tf.memory() of this worker (zeros before any backend is up). */
  memory(): { numTensors: number; numBytes: number; backend: string | null } {
    try {
      const m = tf.memory();
      return { numTensors: m.numTensors, numBytes: m.numBytes, backend: tf.getBackend() };
    } catch {
      return { numTensors: 0, numBytes: 0, backend: null };
    }
  },

  cancel(jobId: string): boolean {
    return host.cancel(jobId);
  },
};

export type ClassifierApi = typeof api;
Comlink.expose(api);
