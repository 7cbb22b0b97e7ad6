// The fine-tuning loop. Two engines share it:
//  - head-only: the backbone runs once per image in inference mode, its 2048-d pooled features
//    are cached (feature-cache.ts), and only dropout + the dense head train — fast on any backend;
//  - deep ('mixed5' / 'all'): pixels stream from storage batch by batch, are augmented and
//    preprocessed on the backend, and gradients flow into the trainable blocks.
// tfjs's BatchNormalization cannot be used as is for training this network (frozen layers use
// batch statistics; scale=False breaks its training and gradient paths): patchBatchNormForTraining
// gives frozen BN layers true inference mode and trainable ones a plain-ops training mode.
// Randomness (head init, shuffling, augmentation, dropout masks) comes from seeds derived from
// config.seed and the epoch, so a resumed run continues exactly as an uninterrupted one would.
import * as tf from '@tensorflow/tfjs';
import { auroc } from '../../../core/metrics';
import { createRng, deriveSeed, shuffleInPlace } from '../../../core/random';
import { extractPooledFeatures } from '../features';
import { pooledFeaturesModel, POOLED_FEATURES_DIM, PREDICTIONS_LAYER, setTrainableDepth } from '../inception-v3';
import { grayImagesToTensor, grayToNetworkInput, preprocessGrayImages } from '../preprocess';
import { applyAugmentations, sampleAugmentations } from './augment';
import { classWeights, initialEarlyStopping, learningRateAt, updateEarlyStopping, type EarlyStoppingState, type TrainConfig } from './config';
import { pixelBatches, type LabeledImage, type PixelReader } from './data';
import { cachedFeatures, featureKey, type FeatureStore } from './feature-cache';
import type { LoadedNetwork } from './weights-source';

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valAuroc: number | null;
  valAccuracy: number;
  learningRate: number;
  seconds: number;
  /** tf.memory().numTensors after the epoch (must not grow) */
  tensors: number;
  [key: string]: number | null;
}

/** Stored after every epoch (stores.checkpoints): enough to continue exactly. */
export interface ClassifierCheckpoint {
  version: 1;
  epochsDone: number;
  curve: CurvePoint[];
  early: EarlyStoppingState;
  weights: NamedArray[];
  best: NamedArray[] | null;
  optimizer: NamedArray[];
  weightsHash: string;
}

export interface TrainHooks {
  progress(stage: string, done: number, total: number, message?: string): void;
  throwIfCancelled(): void;
  /** lets a pending cancel message in (the worker's event loop) */
  yieldToEvents(): Promise<void>;
  onEpoch?(point: CurvePoint): void;
  saveCheckpoint(cp: ClassifierCheckpoint): Promise<void>;
}

export interface TrainInput {
  loaded: LoadedNetwork;
  config: TrainConfig;
  train: LabeledImage[];
  val: LabeledImage[];
  readPixels: PixelReader;
  featureStore: FeatureStore;
  resumeFrom?: ClassifierCheckpoint | null;
}

export interface TrainResult {
  curve: CurvePoint[];
  bestEpoch: number | null;
  stoppedEarly: boolean;
  epochsRun: number;
  resumedAtEpoch: number | null;
}

const EPS = 1e-7; // Keras backend epsilon: binary_crossentropy clips probabilities to [eps, 1-eps]

/** Mean over the batch of w · BCE(y, p), Keras semantics for sample-weighted losses. */
function weightedBce(probs: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(probs.reshape([-1]), EPS, 1 - EPS);
    const l = tf.neg(tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p)))));
    return tf.mean(tf.mul(l, weights)) as tf.Scalar;
  });
}

/** Unweighted BCE and accuracy at 0.5 of scores against labels (float64, in JS). */
export function lossAndAccuracy(labels: readonly (0 | 1)[], scores: ArrayLike<number>): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(scores[i], EPS), 1 - EPS);
    loss -= labels[i] ? Math.log(p) : Math.log(1 - p);
    correct += (scores[i] >= 0.5 ? 1 : 0) === labels[i] ? 1 : 0;
  }
  return { loss: loss / Math.max(1, labels.length), accuracy: correct / Math.max(1, labels.length) };
}

/**
 * Replaces the forward pass of every BatchNormalization layer for training with plain,
 * differentiable ops. Two tfjs 4.22 problems make this necessary:
 *  - a frozen BN called with training=true still normalises with batch statistics (TF2 Keras
 *    would use the moving ones), so frozen blocks would not be frozen;
 *  - Keras's Inception-V3 BN has `scale=False` (no gamma): tfjs's training path reads
 *    `gamma.read()` unconditionally (TypeError), and its inference path's FusedBatchNorm kernel
 *    saves the missing scale for backprop (crash in saveTensorsForBackwardMode) whenever a
 *    gradient tape is active.
 * Frozen layers (trainable=false): (x − moving_mean)/√(moving_var + ε)·γ + β, always.
 * Trainable layers with training=true: batch moments over N,H,W, and the moving statistics
 * updated as tfjs-layers does (momentum m: moving ← moving·m + batch·(1−m), biased variance).
 * Returns the number of layers patched.
 */
export function patchBatchNormForTraining(model: tf.LayersModel): number {
  let patched = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const bn = layer as unknown as {
      call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor;
      gamma?: tf.LayerVariable; beta?: tf.LayerVariable; movingMean: tf.LayerVariable; movingVariance: tf.LayerVariable;
      epsilon: number; momentum: number; __bnPatched?: boolean;
    };
    if (bn.__bnPatched) continue;
    bn.call = (inputs, kwargs) =>
      tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const training = layer.trainable && kwargs?.training === true;
        let mean: tf.Tensor = bn.movingMean.read();
        let variance: tf.Tensor = bn.movingVariance.read();
        if (training) {
          const m = tf.moments(x, [0, 1, 2]);
          mean = m.mean;
          variance = m.variance;
          const batchMean = tf.keep(tf.clone(m.mean));
          const batchVar = tf.keep(tf.clone(m.variance));
          // Moving-statistics update outside the differentiated graph (values only).
          tf.tidy(() => {
            for (const [v, batch] of [[bn.movingMean, batchMean], [bn.movingVariance, batchVar]] as const) {
              v.write(tf.add(tf.mul(v.read(), bn.momentum), tf.mul(batch, 1 - bn.momentum)));
            }
          });
          tf.dispose([batchMean, batchVar]);
        }
        let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, bn.epsilon)));
        if (bn.gamma) y = tf.mul(y, bn.gamma.read());
        if (bn.beta) y = tf.add(y, bn.beta.read());
        return y;
      });
    bn.__bnPatched = true;
    patched++;
  }
  return patched;
}

function makeOptimizer(c: TrainConfig): tf.Optimizer {
  return c.optimizer === 'adam' ? tf.train.adam(c.learningRate) : tf.train.momentum(c.learningRate, c.momentum);
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

interface TrainableVar {
  name: string;
  variable: tf.Variable;
}

async function snapshot(vars: TrainableVar[]): Promise<NamedArray[]> {
  const out: NamedArray[] = [];
  for (const v of vars) out.push({ name: v.name, shape: [...v.variable.shape], values: (await v.variable.data()) as Float32Array });
  return out;
}

function restore(vars: TrainableVar[], arrays: NamedArray[], what: string): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  for (const v of vars) {
    const a = byName.get(v.name);
    if (!a || a.values.length !== v.variable.size) throw new Error(`${what}: no stored values for ${v.name} (the checkpoint belongs to another configuration)`);
    const t = tf.tensor(a.values, a.shape);
    v.variable.assign(t);
    t.dispose();
  }
}

/** Seeded Glorot-uniform head (Keras's default initializer), so a run is reproducible from its seed. */
function initHead(dense: tf.layers.Layer, seed: number): void {
  const rng = createRng(seed);
  for (const w of dense.weights) {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0] + shape[1]));
      for (let i = 0; i < n; i++) v[i] = (rng.next() * 2 - 1) * limit;
    }
    const t = tf.tensor(v, shape);
    w.write(t);
    t.dispose();
  }
}

interface Engine {
  vars: TrainableVar[];
  /** trains one epoch over `order`; returns the mean training loss */
  trainEpoch(order: number[], epochSeed: number, opt: tf.Optimizer, onStep: (done: number) => Promise<void>): Promise<number>;
  /** sigmoid scores of the validation images */
  scoreVal(): Promise<Float32Array>;
  dispose(): void;
}

export async function trainClassifier(input: TrainInput, hooks: TrainHooks): Promise<TrainResult> {
  const { config, loaded, train, val } = input;
  const model = loaded.net.model;
  const dense = model.getLayer(PREDICTIONS_LAYER);
  const cw = classWeights(train.map((x) => x.label), config.classWeighted);
  const sampleWeight = (label: number) => (label ? cw.positive : cw.negative);
  const resume = input.resumeFrom ?? null;
  if (resume && resume.weightsHash !== loaded.weightsHash) throw new Error('the checkpoint was made from other starting weights; start a new run');
  if (!resume) initHead(dense, deriveSeed(config.seed, 7));

  const engine = config.trainableDepth === 'head' ? await headEngine(input, hooks, sampleWeight) : deepEngine(input, hooks, sampleWeight);
  const opt = makeOptimizer(config);
  const curve: CurvePoint[] = resume ? [...resume.curve] : [];
  let early = resume ? resume.early : initialEarlyStopping();
  let best: NamedArray[] | null = resume?.best ?? null;
  let stoppedEarly = false;
  const startEpoch = resume?.epochsDone ?? 0;
  try {
    if (resume) {
      restore(engine.vars, resume.weights, 'resume');
      if (resume.optimizer.length) {
        const named = resume.optimizer.map((a) => ({ name: a.name, tensor: tf.tensor(a.values, a.shape) }));
        await opt.setWeights(named);
        tf.dispose(named.map((n) => n.tensor)); // setWeights made its own variables from them
      }
    }
    const stepsPerEpoch = Math.ceil(train.length / config.batchSize);
    const valLabels = val.map((x) => x.label);
    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      const t0 = performance.now();
      const lr = learningRateAt(config, epoch);
      setLearningRate(opt, lr);
      const epochSeed = deriveSeed(config.seed, epoch);
      const order = shuffleInPlace(train.map((_, i) => i), createRng(deriveSeed(epochSeed, 1)));
      const trainLoss = await engine.trainEpoch(order, epochSeed, opt, async (done) => {
        hooks.progress('training', epoch * stepsPerEpoch + done, config.epochs * stepsPerEpoch, `epoch ${epoch + 1}/${config.epochs}, step ${done}/${stepsPerEpoch}`);
        await hooks.yieldToEvents();
        hooks.throwIfCancelled();
      });
      const scores = await engine.scoreVal();
      const { loss: valLoss, accuracy } = lossAndAccuracy(valLabels, scores);
      const point: CurvePoint = {
        epoch: epoch + 1, trainLoss, valLoss, valAuroc: safeAuroc(valLabels, scores), valAccuracy: accuracy,
        learningRate: lr, seconds: (performance.now() - t0) / 1000, tensors: tf.memory().numTensors,
      };
      curve.push(point);
      const u = updateEarlyStopping(early, epoch + 1, valLoss, config.earlyStopping);
      early = u.state;
      if (u.improved) best = await snapshot(engine.vars);
      hooks.onEpoch?.(point);
      const optimizerState = await opt.getWeights();
      const optimizerArrays: NamedArray[] = [];
      for (const w of optimizerState) optimizerArrays.push({ name: w.name, shape: [...w.tensor.shape], values: Float32Array.from(await w.tensor.data()) });
      // getWeights() returns the live accumulator variables plus a fresh 'iter' scalar: dispose only that one.
      for (const w of optimizerState) if (w.name === 'iter') w.tensor.dispose();
      await hooks.saveCheckpoint({ version: 1, epochsDone: epoch + 1, curve: [...curve], early, weights: await snapshot(engine.vars), best, optimizer: optimizerArrays, weightsHash: loaded.weightsHash });
      if (u.stop) {
        stoppedEarly = true;
        break;
      }
    }
    // Keras EarlyStopping(restore_best_weights=True): end with the best validation-loss weights.
    if (config.earlyStopping && best) restore(engine.vars, best, 'best weights');
    return { curve, bestEpoch: early.bestEpoch, stoppedEarly, epochsRun: curve.length, resumedAtEpoch: resume ? startEpoch : null };
  } finally {
    opt.dispose();
    // tfjs 4.22 MomentumOptimizer.dispose() forgets the learning-rate scalar its SGD base keeps.
    if (opt instanceof tf.MomentumOptimizer) (opt as unknown as { c?: tf.Tensor }).c?.dispose();
    engine.dispose();
  }
}

function safeAuroc(labels: (0 | 1)[], scores: Float32Array): number | null {
  try {
    return auroc(labels, scores);
  } catch {
    return null;
  }
}

function trainableVars(layers: tf.layers.Layer[]): TrainableVar[] {
  const out: TrainableVar[] = [];
  for (const layer of layers) for (const w of layer.trainableWeights) out.push({ name: w.originalName, variable: w.read() as tf.Variable });
  return out;
}

async function headEngine(input: TrainInput, hooks: TrainHooks, sampleWeight: (label: number) => number): Promise<Engine> {
  const { config, loaded, train, val } = input;
  const dense = loaded.net.model.getLayer(PREDICTIONS_LAYER);
  const all = [...train, ...val];
  const features = await featuresFor(loaded, all.map((x) => x.id), input, hooks, 'backbone features (cached per weights, size, image)');
  const trainFeatures = features.subarray(0, train.length * POOLED_FEATURES_DIM);
  const valFeatures = features.subarray(train.length * POOLED_FEATURES_DIM);
  const vars = trainableVars([dense]);
  return {
    vars,
    async trainEpoch(order, epochSeed, opt, onStep) {
      let sum = 0;
      for (let s = 0, step = 0; s < order.length; s += config.batchSize, step++) {
        const idx = order.slice(s, s + config.batchSize);
        const x = new Float32Array(idx.length * POOLED_FEATURES_DIM);
        idx.forEach((i, k) => x.set(trainFeatures.subarray(i * POOLED_FEATURES_DIM, (i + 1) * POOLED_FEATURES_DIM), k * POOLED_FEATURES_DIM));
        const loss = tf.tidy(() => {
          const xs = tf.tensor2d(x, [idx.length, POOLED_FEATURES_DIM]);
          const ys = tf.tensor1d(idx.map((i) => train[i].label));
          const ws = tf.tensor1d(idx.map((i) => sampleWeight(train[i].label)));
          return opt.minimize(() => {
            const h = config.dropoutRate > 0 ? tf.dropout(xs, config.dropoutRate, undefined, deriveSeed(epochSeed, 1000 + step)) : xs;
            return weightedBce(dense.apply(h) as tf.Tensor, ys, ws);
          }, true, vars.map((v) => v.variable)) as tf.Scalar;
        });
        sum += (await loss.data())[0] * idx.length;
        loss.dispose();
        await onStep(step + 1);
      }
      return sum / order.length;
    },
    async scoreVal() {
      return headScores(dense, valFeatures, val.length);
    },
    dispose() {},
  };
}

async function headScores(dense: tf.layers.Layer, features: Float32Array, n: number): Promise<Float32Array> {
  if (n === 0) return new Float32Array(0);
  const p = tf.tidy(() => (dense.apply(tf.tensor2d(features, [n, POOLED_FEATURES_DIM])) as tf.Tensor).reshape([-1]));
  const out = (await p.data()) as Float32Array;
  p.dispose();
  return Float32Array.from(out);
}

/** Pooled features of stored images, through the cache. */
export async function featuresFor(
  loaded: LoadedNetwork,
  ids: string[],
  io: { readPixels: PixelReader; featureStore: FeatureStore },
  hooks: Pick<TrainHooks, 'progress' | 'throwIfCancelled' | 'yieldToEvents'>,
  stage: string,
  batchSize = 8,
): Promise<Float32Array> {
  const { net, weightsHash, normalization } = loaded;
  const features = pooledFeaturesModel(net.model);
  const { features: out } = await cachedFeatures(
    ids,
    (id) => featureKey(weightsHash, net.inputSize, normalization, id),
    io.featureStore,
    async (batchIds) => {
      const images = await Promise.all(batchIds.map((id) => io.readPixels(id)));
      const f = await extractPooledFeatures(features, images, { batchSize, normalization });
      await hooks.yieldToEvents();
      return f;
    },
    {
      batchSize,
      throwIfCancelled: hooks.throwIfCancelled,
      onProgress: (done, total, cached) => hooks.progress(stage, done, total, `${cached} of ${total} from the cache`),
    },
  );
  return out;
}

function deepEngine(input: TrainInput, hooks: TrainHooks, sampleWeight: (label: number) => number): Engine {
  const { config, loaded, train, val, readPixels } = input;
  const model = loaded.net.model;
  const size = loaded.net.inputSize;
  setTrainableDepth(model, config.trainableDepth === 'all' ? 'all' : 'mixed5');
  patchBatchNormForTraining(model);
  const pooled = pooledFeaturesModel(model);
  const dense = model.getLayer(PREDICTIONS_LAYER);
  const vars = trainableVars(model.layers.filter((l) => l.trainable && l.trainableWeights.length));
  return {
    vars,
    async trainEpoch(order, epochSeed, opt, onStep) {
      const augRng = createRng(deriveSeed(epochSeed, 2));
      const items = order.map((i) => train[i]);
      let sum = 0;
      let step = 0;
      for await (const batch of pixelBatches(items, config.batchSize, readPixels)) {
        hooks.throwIfCancelled();
        const n = batch.items.length;
        const aug = config.augmentation ? sampleAugmentations(augRng, n, size, config.augmentation) : null;
        const stepSeed = deriveSeed(epochSeed, 1000 + step);
        const loss = tf.tidy(() => {
          let gray = grayImagesToTensor(batch.images, size);
          if (aug) gray = applyAugmentations(gray, aug);
          const xs = grayToNetworkInput(gray, loaded.normalization);
          const ys = tf.tensor1d(batch.items.map((x) => x.label));
          const ws = tf.tensor1d(batch.items.map((x) => sampleWeight(x.label)));
          return opt.minimize(() => {
            const f = pooled.apply(xs, { training: true }) as tf.Tensor;
            const h = config.dropoutRate > 0 ? tf.dropout(f, config.dropoutRate, undefined, stepSeed) : f;
            return weightedBce(dense.apply(h) as tf.Tensor, ys, ws);
          }, true, vars.map((v) => v.variable)) as tf.Scalar;
        });
        sum += (await loss.data())[0] * n;
        loss.dispose();
        step++;
        await onStep(step);
      }
      return sum / Math.max(1, items.length);
    },
    async scoreVal() {
      return scoreImages(loaded, val, readPixels, { batchSize: config.batchSize, hooks });
    },
    dispose() {},
  };
}

/** Inference-mode sigmoid scores of stored images (full network; no cache). */
export async function scoreImages(
  loaded: LoadedNetwork,
  items: readonly LabeledImage[] | readonly { id: string }[],
  readPixels: PixelReader,
  opts: { batchSize?: number; hooks?: Pick<TrainHooks, 'throwIfCancelled'>; onBatch?: (done: number) => void } = {},
): Promise<Float32Array> {
  const out = new Float32Array(items.length);
  let o = 0;
  const refs = items.map((x) => ({ id: x.id, label: 0 as const }));
  for await (const batch of pixelBatches(refs, opts.batchSize ?? 8, readPixels)) {
    opts.hooks?.throwIfCancelled();
    const p = tf.tidy(() => (loaded.net.model.predict(preprocessGrayImages(batch.images, loaded.net.inputSize, loaded.normalization)) as tf.Tensor).reshape([-1]));
    out.set((await p.data()) as Float32Array, o);
    p.dispose();
    o += batch.items.length;
    opts.onBatch?.(o);
  }
  return out;
}

/** Scores through cached features (head-only models: the backbone is the source's, unchanged). */
export async function scoreViaFeatures(
  loaded: LoadedNetwork,
  ids: string[],
  io: { readPixels: PixelReader; featureStore: FeatureStore },
  hooks: Pick<TrainHooks, 'progress' | 'throwIfCancelled' | 'yieldToEvents'>,
  stage: string,
): Promise<Float32Array> {
  const f = await featuresFor(loaded, ids, io, hooks, stage);
  return headScores(loaded.net.model.getLayer(PREDICTIONS_LAYER), f, ids.length);
}
