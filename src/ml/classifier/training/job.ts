// The classifier jobs as the worker runs them: assemble the data of a dataset task (test
// split locked), bring up a backend that can do the work, load the starting weights, train,
// score validation and test images, and store the run, its checkpoints and its weights.
import * as tf from '@tensorflow/tfjs';
import { chooseTfjsBackends, type TfjsBackendName } from '../../../core/backends';
import { JobCancelledError, yieldToEvents, type JobContext } from '../../../core/jobs';
import type { ImageScore } from '../../../core/report/schema';
import { assertNoTestImages } from '../../../core/dataset/test-lock';
import { initTfjs, baseUrl } from '../../backend/tfjs-setup';
import { detectWebGpu } from '../../backend/webgpu-info';
import { getDataset, imagesForTask, readCanonicalPixels } from '../../../storage/dataset-repo';
import { loadSettings, stores } from '../../../storage/stores';
import { getModel, modelFileBytes } from '../../../storage/model-store';
import {
  acceptedSyntheticImages, checkpointKey, classifierFeatures, classifierModels, getClassifierRun, saveClassifierRun,
  type ClassifierArm, type ClassifierRunRecord, type StoredClassifierModel,
} from '../../../storage/classifier-runs';
import { DEFAULT_HEAD, PREDICTIONS_LAYER, type ClassifierHead } from '../inception-v3';
import { preprocessGrayImages, type GrayImage } from '../preprocess';
import { extractPooledFeatures } from '../features';
import { assignWeights, type NamedWeights } from '../weights/assign';
import { buildInceptionV3 } from '../inception-v3';
import { classifierBackendOrder, configProblems, type TrainConfig } from './config';
import { classCounts, manifestHash, type LabeledImage, type PixelReader } from './data';
import type { FeatureStore } from './feature-cache';
import { featuresFor, scoreImages, scoreViaFeatures, trainClassifier, type ClassifierCheckpoint } from './trainer';
import { describeSource, exportLayersModel, loadNetwork, type LoadedNetwork, type SourceIo, type WeightsSource } from './weights-source';

export type BackendRequest = 'auto' | TfjsBackendName;

export interface TrainRequest {
  runId: string;
  arm: ClassifierArm;
  datasetId: string;
  taskId: string;
  source: WeightsSource;
  config: TrainConfig;
  /** 'auto' follows Settings; a name forces that backend (tests, benchmarks) */
  backend?: BackendRequest;
  /** continue from the run's last checkpoint */
  resume?: boolean;
  /** pause: end the job (as cancelled, checkpoint kept) once this many epochs are done */
  stopAfterEpoch?: number;
}

export interface TrainJobResult {
  runId: string;
  resultIds: string[];
}

export const featureStore: FeatureStore = {
  getMany: (keys) => classifierFeatures.getMany(keys),
  putMany: (items) => classifierFeatures.putMany(items),
};

export const storedPixels: PixelReader = async (id) => {
  const p = await readCanonicalPixels(id);
  if (!p) throw new Error(`pixels of image ${id.slice(0, 12)} are missing from storage (deleted dataset?)`);
  return p;
};

export function sourceIo(): SourceIo {
  return {
    baseUrl: baseUrl(),
    modelFileBytes: async (modelId, path) => {
      const m = await getModel(modelId);
      if (!m || m.status !== 'ready') throw new Error(`model "${modelId}" is not downloaded/imported yet (Models page)`);
      return modelFileBytes(modelId, path);
    },
    modelFileSha256: async (modelId, path) => (await getModel(modelId))?.files[path]?.sha256 ?? null,
  };
}

/** Brings up a tfjs backend for the job; wasm is skipped when convolutions are trained. */
export async function setUpBackend(request: BackendRequest, trainsConvolutions: boolean): Promise<{ active: TfjsBackendName; notes: string[] }> {
  const notes: string[] = [];
  let order: TfjsBackendName[];
  if (request === 'auto') {
    const gpu = await detectWebGpu();
    const choice = chooseTfjsBackends(gpu, (await loadSettings()).backends.tfjs);
    notes.push(...choice.notes);
    order = choice.order;
  } else {
    order = [request];
    notes.push(`backend ${request} requested`);
  }
  const policy = classifierBackendOrder(order, trainsConvolutions);
  notes.push(...policy.notes);
  const outcome = await initTfjs(policy.order);
  for (const a of outcome.attempts) if (!a.ok) notes.push(`${a.backend} failed: ${a.reason}`);
  if (!outcome.active) throw new Error(`no tfjs backend could start (${notes.join('; ')})`);
  return { active: outcome.active, notes };
}

/** The task's train/val/test images; augmented runs add accepted synthetic positives to train and val. */
async function assembleData(req: TrainRequest) {
  const dataset = await getDataset(req.datasetId);
  if (!dataset) throw new Error(`no dataset ${req.datasetId}`);
  const task = dataset.tasks.find((t) => t.id === req.taskId);
  if (!task) throw new Error(`dataset ${dataset.name} has no task ${req.taskId}`);
  const split = dataset.splits.find((s) => s.taskId === req.taskId);
  if (!split) throw new Error(`task ${task.name} has no split yet (Data page)`);
  if (dataset.splitsStale) throw new Error(`the splits of ${dataset.name} are stale after a relabel; re-split on the Data page first`);
  const ref = (x: { id: string; label: 0 | 1 }): LabeledImage => ({ id: x.id, label: x.label });
  const train = (await imagesForTask(req.datasetId, req.taskId, 'train', 'training')).map(ref);
  const val = (await imagesForTask(req.datasetId, req.taskId, 'val', 'early-stopping')).map(ref);
  const test = (await imagesForTask(req.datasetId, req.taskId, 'test')).map(ref);
  let syntheticTrain = 0;
  let syntheticVal = 0;
  if (req.arm === 'augmented') {
    const synthetic = await acceptedSyntheticImages(req.datasetId, req.taskId);
    if (!synthetic.length) throw new Error('no accepted synthetic images for this task yet (Synthesis page)');
    for (const s of synthetic) {
      // A synthetic image joins the split of the real image it was made from (train or val);
      // one made from a test image would leak the test set and is refused by the lock below.
      const from = s.provenance?.sourceImageId ? split.assignments[s.provenance.sourceImageId] : undefined;
      const finding = (s.provenance?.params as { finding?: string } | undefined)?.finding;
      const item: LabeledImage = { id: s.id, label: s.labels.includes(task.positiveFinding) || finding === task.positiveFinding ? 1 : 0, synthetic: true };
      if (from === 'test') throw new Error(`synthetic image ${s.id.slice(0, 12)} was made from a test image; the test split is locked`);
      if (from === 'val' || (!from && hashBucket(s.id) < 0.1)) {
        val.push(item);
        syntheticVal++;
      } else {
        train.push(item);
        syntheticTrain++;
      }
    }
  }
  // The lock again on exactly what is used (dataset-repo checks its own lists above).
  assertNoTestImages(train.map((x) => x.id), split, 'training');
  assertNoTestImages(val.map((x) => x.id), split, 'early-stopping');
  if (!train.length || !val.length || !test.length) throw new Error(`task ${task.name} needs images in train, validation and test (has ${train.length}/${val.length}/${test.length})`);
  const tc = classCounts(train);
  if (!tc.positive || !tc.negative) throw new Error('the training set needs both classes');
  return { dataset, task, train, val, test, syntheticTrain, syntheticVal };
}

/** Deterministic [0,1) from a hex id (for synthetic images without a source image). */
const hashBucket = (id: string) => parseInt(id.slice(0, 8), 16) / 2 ** 32;

function scoresOf(items: LabeledImage[], scores: Float32Array): ImageScore[] {
  return items.map((x, i) => ({ imageId: x.id, label: x.label, score: scores[i] }));
}

export async function runTrainJob(req: TrainRequest, ctx: JobContext, jobId = ''): Promise<TrainJobResult> {
  const problems = configProblems(req.config);
  if (problems.length) throw new Error(`invalid settings: ${problems.join('; ')}`);
  const started = performance.now();
  ctx.progress('preparing data', 0, 1);
  const data = await assembleData(req);
  const trainsConvolutions = req.config.trainableDepth !== 'head';
  const backend = await setUpBackend(req.backend ?? 'auto', trainsConvolutions);
  const previous = req.resume ? await getClassifierRun(req.runId) : undefined;
  const checkpoint = req.resume ? ((await stores.checkpoints.get(checkpointKey(req.runId))) as ClassifierCheckpoint | undefined) : undefined;
  if (req.resume && !previous) throw new Error(`no run ${req.runId} to resume`);
  const record: ClassifierRunRecord = {
    kind: 'classifier', id: req.runId, arm: req.arm, status: 'running', jobId, createdAt: previous?.createdAt ?? Date.now(), updatedAt: Date.now(),
    datasetId: req.datasetId, datasetName: data.dataset.name, taskId: req.taskId, taskName: data.task.name,
    config: { ...req.config }, seed: req.config.seed,
    manifestHash: await manifestHash(data),
    weights: { source: describeSource(req.source), description: '', hash: '', notes: [] },
    backend: { active: backend.active, notes: backend.notes },
    counts: { train: classCounts(data.train), val: classCounts(data.val), test: classCounts(data.test), syntheticTrain: data.syntheticTrain, syntheticVal: data.syntheticVal },
    trainingCurve: checkpoint?.curve ?? [], bestEpoch: null, stoppedEarly: false, resumedAtEpoch: null,
    validation: [], test: [], modelStored: false, seconds: 0,
  };
  if (previous && previous.manifestHash !== record.manifestHash) throw new Error('the dataset changed since this run started (manifest hash differs); start a new run');
  ctx.progress('loading weights', 0, 1, describeSource(req.source));
  const head: ClassifierHead = { ...DEFAULT_HEAD, dropoutRate: req.config.dropoutRate };
  const loaded = await loadNetwork(req.source, { inputSize: req.config.inputSize, head }, sourceIo());
  record.weights = { source: describeSource(req.source), description: loaded.description, hash: loaded.weightsHash, notes: loaded.notes };
  await saveClassifierRun(record);
  try {
    const hooks = {
      progress: ctx.progress,
      throwIfCancelled: () => ctx.throwIfCancelled(),
      yieldToEvents,
      onEpoch: (p: ClassifierRunRecord['trainingCurve'][number]) => {
        record.trainingCurve = [...record.trainingCurve.filter((q) => q.epoch !== p.epoch), p];
        // The live curve goes to the page through the progress message (JSON, small).
        ctx.progress('training', p.epoch, req.config.epochs, `curve:${JSON.stringify(p)}`);
      },
      saveCheckpoint: async (cp: ClassifierCheckpoint) => {
        await stores.checkpoints.put(checkpointKey(req.runId), cp);
        await saveClassifierRun(record);
        if (req.stopAfterEpoch !== undefined && cp.epochsDone >= req.stopAfterEpoch && cp.epochsDone < req.config.epochs) throw new JobCancelledError();
      },
    };
    const result = await trainClassifier(
      { loaded, config: req.config, train: data.train, val: data.val, readPixels: storedPixels, featureStore, resumeFrom: checkpoint ?? null },
      hooks,
    );
    Object.assign(record, { trainingCurve: result.curve, bestEpoch: result.bestEpoch, stoppedEarly: result.stoppedEarly, resumedAtEpoch: result.resumedAtEpoch });
    // Final scores. Test images are used here and only here (evaluation).
    const io = { readPixels: storedPixels, featureStore };
    const score = (items: LabeledImage[], stage: string) =>
      req.config.trainableDepth === 'head'
        ? scoreViaFeatures(loaded, items.map((x) => x.id), io, hooks, stage)
        : scoreImages(loaded, items, storedPixels, { batchSize: req.config.batchSize, hooks, onBatch: (d) => ctx.progress(stage, d, items.length) });
    record.validation = scoresOf(data.val, await score(data.val, 'scoring validation images'));
    record.test = scoresOf(data.test, await score(data.test, 'scoring test images'));
    ctx.progress('saving the fine-tuned model', 0, 1);
    await classifierModels.put(req.runId, await modelSnapshot(req.runId, loaded));
    record.modelStored = true;
    record.status = 'completed';
    record.seconds = (previous?.seconds ?? 0) + (performance.now() - started) / 1000;
    await saveClassifierRun(record);
    await stores.checkpoints.delete(checkpointKey(req.runId));
    return { runId: req.runId, resultIds: [req.runId] };
  } catch (e) {
    const cancelled = (e as Error)?.name === 'JobCancelledError';
    record.status = cancelled ? 'cancelled' : 'failed';
    record.error = (e as Error)?.message ?? String(e);
    record.seconds = (previous?.seconds ?? 0) + (performance.now() - started) / 1000;
    await saveClassifierRun(record).catch(() => undefined);
    throw e;
  } finally {
    loaded.net.model.dispose();
  }
}

async function modelSnapshot(runId: string, loaded: LoadedNetwork): Promise<StoredClassifierModel> {
  const weights: StoredClassifierModel['weights'] = [];
  for (const layer of loaded.net.model.layers) {
    for (const w of layer.weights) weights.push({ name: w.originalName, shape: [...w.shape] as number[], values: (await w.read().data()) as Float32Array });
  }
  return { runId, variant: loaded.net.variant, inputSize: loaded.net.inputSize, normalization: loaded.normalization, head: loaded.net.head ?? DEFAULT_HEAD, weights };
}

/** Rebuilds a stored fine-tuned model. */
export async function storedNetwork(runId: string): Promise<LoadedNetwork> {
  const m = await classifierModels.get(runId);
  if (!m) throw new Error(`run ${runId} has no stored model`);
  const net = buildInceptionV3({ inputSize: m.inputSize, variant: m.variant, head: m.head });
  const weights: NamedWeights = new Map(m.weights.map((w) => [w.name, { shape: w.shape, values: w.values }]));
  assignWeights(net.model, weights, { source: `run ${runId}`, head: 'require' });
  return { net, weightsHash: `run:${runId}`, description: `fine-tuned in run ${runId}`, normalization: m.normalization, headLoaded: true, notes: [] };
}

/** model.json + weights.bin of a finished run (tfjs Layers format, loadable by tf.loadLayersModel and by our importer). */
export async function exportRunModel(runId: string): Promise<{ modelJson: string; weights: ArrayBuffer }> {
  const loaded = await storedNetwork(runId);
  try {
    return await exportLayersModel(loaded.net.model, {
      variant: loaded.net.variant, inputSize: loaded.net.inputSize, head: loaded.net.head ?? DEFAULT_HEAD, normalization: loaded.normalization, runId,
    });
  } finally {
    loaded.net.model.dispose();
  }
}

export interface FeaturesRequest {
  /** default: the nsfwjs backbone */
  source?: WeightsSource;
  /** default 299 */
  inputSize?: number;
  /** stored images (features are cached) … */
  imageIds?: string[];
  /** … or images that are not stored (e.g. synthesis candidates); exactly one of the two */
  images?: GrayImage[];
  batchSize?: number;
  backend?: BackendRequest;
}

export interface FeaturesResult {
  /** row-major [count × dim] */
  features: Float32Array;
  count: number;
  dim: 2048;
  weightsHash: string;
  inputSize: number;
  backend: string;
}

const isLocalFileSource = (s: WeightsSource) => s.kind === 'tfjs-files' || s.kind === 'keras-h5-file' || s.kind === 'timm-safetensors-file';

let cachedBackbone: { key: string; loaded: LoadedNetwork } | null = null;

async function backboneFor(source: WeightsSource, inputSize: number): Promise<LoadedNetwork> {
  const key = isLocalFileSource(source) ? null : `${JSON.stringify(source)}@${inputSize}@${tf.getBackend()}`;
  if (key && cachedBackbone?.key === key) return cachedBackbone.loaded;
  const loaded = await loadNetwork(source, { inputSize, head: null }, sourceIo());
  if (key) {
    cachedBackbone?.loaded.net.model.dispose();
    cachedBackbone = { key, loaded };
  }
  return loaded;
}

/** 2048-d pooled features for FID/KID and memorisation checks. */
export async function runFeaturesJob(req: FeaturesRequest, ctx: JobContext): Promise<FeaturesResult> {
  if (!!req.imageIds === !!req.images) throw new Error('pass either imageIds or images');
  const backend = await setUpBackend(req.backend ?? 'auto', false);
  const source = req.source ?? { kind: 'nsfwjs' };
  const inputSize = req.inputSize ?? 299;
  ctx.progress('loading weights', 0, 1, describeSource(source));
  const loaded = await backboneFor(source, inputSize);
  const hooks = { progress: ctx.progress, throwIfCancelled: () => ctx.throwIfCancelled(), yieldToEvents };
  try {
    let features: Float32Array;
    if (req.imageIds) {
      features = await featuresFor(loaded, req.imageIds, { readPixels: storedPixels, featureStore }, hooks, 'pooled features', req.batchSize ?? 8);
    } else {
      features = await extractPooledFeatures(loaded.net.model, req.images!, {
        batchSize: req.batchSize ?? 8, normalization: loaded.normalization, signal: ctx.signal,
        onProgress: (d, t) => ctx.progress('pooled features', d, t),
      });
    }
    const count = req.imageIds?.length ?? req.images!.length;
    return { features, count, dim: 2048, weightsHash: loaded.weightsHash, inputSize, backend: backend.active };
  } finally {
    if (isLocalFileSource(source)) loaded.net.model.dispose();
  }
}

/** Scores with a model that has a trained head: a finished run's, or a re-imported export. */
export async function runScoreJob(
  req: { runId?: string; source?: WeightsSource; imageIds?: string[]; images?: GrayImage[]; backend?: BackendRequest },
  ctx: JobContext,
): Promise<Float32Array> {
  await setUpBackend(req.backend ?? 'auto', false);
  const loaded = req.runId
    ? await storedNetwork(req.runId)
    : await loadNetwork(req.source!, { inputSize: 299, head: DEFAULT_HEAD, headPolicy: 'require' }, sourceIo());
  try {
    if (!loaded.net.model.getLayer(PREDICTIONS_LAYER)) throw new Error('model has no head');
    if (req.images) {
      const out = new Float32Array(req.images.length);
      for (let s = 0; s < req.images.length; s += 8) {
        const p = tf.tidy(() => (loaded.net.model.predict(preprocessGrayImages(req.images!.slice(s, s + 8), loaded.net.inputSize, loaded.normalization)) as tf.Tensor).reshape([-1]));
        out.set((await p.data()) as Float32Array, s);
        p.dispose();
        ctx.throwIfCancelled();
      }
      return out;
    }
    return await scoreImages(loaded, (req.imageIds ?? []).map((id) => ({ id })), storedPixels, { hooks: ctx });
  } finally {
    loaded.net.model.dispose();
  }
}

export interface StepCheckRequest {
  backend: TfjsBackendName;
  inputSize: number;
  depth: 'mixed5' | 'all';
  images: GrayImage[];
  labels: (0 | 1)[];
  seed: number;
  steps: number;
}

export interface StepCheckResult {
  backend: string;
  losses: number[];
  /** the head kernel and the first trainable conv kernel after the steps */
  headKernel: Float32Array;
  firstTrainable: { name: string; values: Float32Array };
  tensorsBefore: number;
  tensorsAfter: number;
}

/**
 * A few deep fine-tuning steps from the nsfwjs weights on one backend, with the training loop's
 * own code (frozen-BN patch, seeded head and dropout, no augmentation): run on webgpu and on cpu,
 * the results must agree.
 */
export async function runTrainStepCheck(req: StepCheckRequest): Promise<StepCheckResult> {
  await setUpBackend(req.backend, true);
  if (tf.getBackend() !== req.backend) throw new Error(`backend ${req.backend} is not available (got ${tf.getBackend()})`);
  const loaded = await loadNetwork({ kind: 'nsfwjs' }, { inputSize: req.inputSize, head: { ...DEFAULT_HEAD, dropoutRate: 0 } }, sourceIo());
  const tensorsBefore = tf.memory().numTensors;
  const items: LabeledImage[] = req.images.map((_, i) => ({ id: String(i), label: req.labels[i] }));
  const losses: number[] = [];
  try {
    const config: TrainConfig = {
      inputSize: req.inputSize, trainableDepth: req.depth, optimizer: 'sgd', learningRate: 0.01, momentum: 0.9, schedule: { kind: 'constant' },
      batchSize: items.length, epochs: req.steps, earlyStopping: null, classWeighted: false, augmentation: null, dropoutRate: 0, seed: req.seed,
    };
    const memStore = new Map<string, Float32Array>();
    await trainClassifier(
      {
        loaded, config, train: items, val: items.slice(0, 1), readPixels: async (id) => req.images[Number(id)],
        featureStore: { getMany: async (k) => k.map((x) => memStore.get(x)), putMany: async (kv) => void kv.forEach(([k, v]) => memStore.set(k, v)) },
      },
      {
        progress: () => undefined, throwIfCancelled: () => undefined, yieldToEvents,
        onEpoch: (p) => losses.push(p.trainLoss), saveCheckpoint: async () => undefined,
      },
    );
    const head = loaded.net.model.getLayer(PREDICTIONS_LAYER).getWeights()[0];
    const firstLayer = loaded.net.model.layers.find((l) => l.trainable && l.trainableWeights.length && l.getClassName() === 'Conv2D')!;
    return {
      backend: tf.getBackend(), losses,
      headKernel: (await head.data()) as Float32Array,
      firstTrainable: { name: firstLayer.name, values: (await firstLayer.trainableWeights[0].read().data()) as Float32Array },
      tensorsBefore, tensorsAfter: tf.memory().numTensors,
    };
  } finally {
    loaded.net.model.dispose();
  }
}
