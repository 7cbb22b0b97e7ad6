import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  classWeights, classifierBackendOrder, configProblems, DEFAULT_AUGMENTATION, DEFAULT_TRAIN_CONFIG, initialEarlyStopping, learningRateAt, updateEarlyStopping,
} from '../../../src/ml/classifier/training/config';
import { applyAugmentations, sampleAugmentations } from '../../../src/ml/classifier/training/augment';
import { cachedFeatures } from '../../../src/ml/classifier/training/feature-cache';
import { manifestHash, pixelBatches } from '../../../src/ml/classifier/training/data';
import { lossAndAccuracy, patchBatchNormForTraining } from '../../../src/ml/classifier/training/trainer';
import { createRng } from '../../../src/core/random';

describe('training config', () => {
  it('accepts the defaults and names each bad field', () => {
    expect(configProblems(DEFAULT_TRAIN_CONFIG)).toEqual([]);
    const p = configProblems({ ...DEFAULT_TRAIN_CONFIG, inputSize: 64, learningRate: 0, batchSize: 0, optimizer: 'sgd', momentum: 1 });
    expect(p.join('\n')).toMatch(/input size/);
    expect(p.join('\n')).toMatch(/learning rate/);
    expect(p.join('\n')).toMatch(/batch size/);
    expect(p.join('\n')).toMatch(/momentum/);
  });

  it('learning-rate schedules', () => {
    const c = { learningRate: 0.1, epochs: 11 };
    expect(learningRateAt({ ...c, schedule: { kind: 'constant' } }, 7)).toBe(0.1);
    expect(learningRateAt({ ...c, schedule: { kind: 'step', everyEpochs: 5, gamma: 0.1 } }, 4)).toBeCloseTo(0.1);
    expect(learningRateAt({ ...c, schedule: { kind: 'step', everyEpochs: 5, gamma: 0.1 } }, 5)).toBeCloseTo(0.01);
    const cos = { ...c, schedule: { kind: 'cosine' as const, minLr: 0.001 } };
    expect(learningRateAt(cos, 0)).toBeCloseTo(0.1);
    expect(learningRateAt(cos, 5)).toBeCloseTo((0.1 + 0.001) / 2);
    expect(learningRateAt(cos, 10)).toBeCloseTo(0.001);
  });

  it("class weights follow sklearn's 'balanced' rule; unweighted is 1/1", () => {
    expect(classWeights([1, 0, 0, 0], false)).toEqual({ negative: 1, positive: 1 });
    const w = classWeights([1, 0, 0, 0], true);
    expect(w.positive).toBeCloseTo(2);
    expect(w.negative).toBeCloseTo(4 / 6);
    expect(() => classWeights([0, 0], true)).toThrow(/both classes/);
  });

  it('early stopping: patience, min delta, best epoch', () => {
    const rule = { patience: 2, minDelta: 0.01 };
    let s = initialEarlyStopping();
    const seq = [1.0, 0.8, 0.795, 0.9, 0.7];
    const out = seq.map((loss, i) => {
      const u = updateEarlyStopping(s, i + 1, loss, rule);
      s = u.state;
      return [u.improved, u.stop];
    });
    expect(out).toEqual([[true, false], [true, false], [false, false], [false, true], [true, false]]);
    expect(updateEarlyStopping(initialEarlyStopping(), 1, NaN, rule).improved).toBe(false);
  });

  it('skips wasm for convolution training and says why', () => {
    expect(classifierBackendOrder(['webgpu', 'wasm', 'cpu'], false).order).toEqual(['webgpu', 'wasm', 'cpu']);
    const r = classifierBackendOrder(['wasm', 'cpu'], true);
    expect(r.order).toEqual(['cpu']);
    expect(r.notes[0]).toMatch(/Conv2DBackpropFilter/);
    expect(classifierBackendOrder(['wasm'], true).order).toEqual(['cpu']);
  });
});

describe('augmentation', () => {
  it('is reproducible from the seed and keeps the identity when all ranges are 0', async () => {
    await tf.setBackend('cpu');
    const a = sampleAugmentations(createRng(5), 3, 32, DEFAULT_AUGMENTATION);
    const b = sampleAugmentations(createRng(5), 3, 32, DEFAULT_AUGMENTATION);
    expect(a).toEqual(b);
    const img = tf.tidy(() => tf.randomUniform([2, 32, 32, 1], 0, 255, 'float32', 1) as tf.Tensor4D);
    const none = sampleAugmentations(createRng(1), 2, 32, { rotationDeg: 0, shift: 0, zoom: 0, brightness: 0, contrast: 0 });
    const same = applyAugmentations(img, none);
    expect(Math.max(...(await tf.sub(same, img).abs().data()))).toBeLessThan(1e-3);
    const changed = applyAugmentations(img, a.transforms.length === 24 ? sampleAugmentations(createRng(2), 2, 32, DEFAULT_AUGMENTATION) : a);
    const d = await tf.sub(changed, img).abs().mean().data();
    expect(d[0]).toBeGreaterThan(1);
    const v = await changed.data();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(255);
    tf.dispose([img, same, changed]);
  });

  it('never flips: a left-bright image stays left-bright', async () => {
    await tf.setBackend('cpu');
    const left = tf.tidy(() => tf.concat([tf.fill([1, 32, 16, 1], 200), tf.fill([1, 32, 16, 1], 20)], 2) as tf.Tensor4D);
    for (let s = 0; s < 5; s++) {
      const out = applyAugmentations(left, sampleAugmentations(createRng(s), 1, 32, DEFAULT_AUGMENTATION));
      const [l, r] = await Promise.all([out.slice([0, 0, 0, 0], [1, 32, 16, 1]).mean().data(), out.slice([0, 0, 16, 0], [1, 32, 16, 1]).mean().data()]);
      expect(l[0]).toBeGreaterThan(r[0]);
      out.dispose();
    }
    left.dispose();
  });
});

describe('data and feature cache', () => {
  it('manifest hash depends on membership and labels, not order', async () => {
    const a = { train: [{ id: 'a', label: 1 as const }, { id: 'b', label: 0 as const }], val: [{ id: 'c', label: 0 as const }], test: [{ id: 'd', label: 1 as const }] };
    const b = { ...a, train: [...a.train].reverse() };
    expect(await manifestHash(a)).toBe(await manifestHash(b));
    expect(await manifestHash(a)).not.toBe(await manifestHash({ ...a, test: [{ id: 'd', label: 0 }] }));
  });

  it('streams batches with bounded read-ahead', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const read = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return { width: 1, height: 1, pixels: new Uint8Array(1) };
    };
    const items = Array.from({ length: 10 }, (_, i) => ({ id: String(i), label: 0 as const }));
    const sizes: number[] = [];
    for await (const b of pixelBatches(items, 3, read)) sizes.push(b.items.length);
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect(maxInFlight).toBeLessThanOrEqual(6);
  });

  it('computes only uncached rows and stores them', async () => {
    const store = new Map<string, Float32Array>([['k:b', new Float32Array(2048).fill(2)]]);
    const computed: string[] = [];
    const { features, cached } = await cachedFeatures(['a', 'b', 'c'], (id) => `k:${id}`, {
      getMany: async (keys) => keys.map((k) => store.get(k)),
      putMany: async (items) => items.forEach(([k, v]) => store.set(k, v)),
    }, async (ids) => {
      computed.push(...ids);
      return new Float32Array(ids.length * 2048).fill(1);
    }, { batchSize: 8 });
    expect(cached).toBe(1);
    expect(computed).toEqual(['a', 'c']);
    expect(features[0]).toBe(1);
    expect(features[2048]).toBe(2);
    expect(store.has('k:c')).toBe(true);
  });

  it('loss and accuracy in float64', () => {
    const r = lossAndAccuracy([1, 0], [0.9, 0.2]);
    expect(r.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 10);
    expect(r.accuracy).toBe(1);
  });

  it('patched BatchNormalization: frozen = inference mode under training=true; trainable (scale=False) trains and updates its statistics', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [1, 1, 4] });
    const frozen = tf.layers.batchNormalization({ axis: -1, scale: false });
    const trainable = tf.layers.batchNormalization({ axis: -1, scale: false, momentum: 0.5 });
    const model = tf.model({ inputs: input, outputs: trainable.apply(frozen.apply(input)) as tf.SymbolicTensor });
    frozen.trainable = false;
    expect(patchBatchNormForTraining(model)).toBe(2);
    const x = tf.tensor4d([[[[1, 2, 3, 4]]], [[[5, 6, 7, 8]]]]);
    // Under a gradient tape (where tfjs's own kernels fail for scale=False): gradient of beta.
    const beta = trainable.trainableWeights[0].read() as tf.Variable;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, [beta]);
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    expect(grads[beta.name].shape).toEqual([4]);
    // frozen layer: fresh moving stats (0, 1) → ~identity; trainable layer normalised the batch → per-channel mean 0
    const out = (await (model.apply(x, { training: true }) as tf.Tensor).data()) as Float32Array;
    expect(Math.abs(out[0] + out[4])).toBeLessThan(1e-4);
    const movingMean = await trainable.getWeights()[1].data();
    expect(movingMean[0]).toBeGreaterThan(1); // moved toward the batch mean 3 (momentum 0.5, twice)
    expect((await frozen.getWeights()[1].data())[0]).toBe(0); // frozen statistics untouched
    tf.dispose([x, value, grads[beta.name]]);
  });
});

describe('trainer memory', () => {
  it('head-only training leaves tf.memory() flat across epochs (adam and sgd+momentum) and resumes exactly', async () => {
    await tf.setBackend('cpu');
    const { buildInceptionV3 } = await import('../../../src/ml/classifier/inception-v3');
    const { trainClassifier } = await import('../../../src/ml/classifier/training/trainer');
    const net = buildInceptionV3({ inputSize: 75, head: { units: 1, activation: 'sigmoid', dropoutRate: 0.2 } });
    const loaded = { net, weightsHash: 'h', description: '', normalization: 'inception' as const, headLoaded: false, notes: [] };
    const rng = createRng(3);
    const feats = new Map<string, Float32Array>();
    const items = Array.from({ length: 12 }, (_, i) => {
      const label = (i % 2) as 0 | 1;
      const f = new Float32Array(2048).map(() => rng.next() + label * 0.3);
      feats.set(`h:75:inception:img${i}`, f);
      return { id: `img${i}`, label };
    });
    const featureStore = { getMany: async (k: string[]) => k.map((x) => feats.get(x)), putMany: async () => undefined };
    const readPixels = async () => { throw new Error('features are cached; pixels must not be read'); };
    for (const optimizer of ['adam', 'sgd'] as const) {
      const cps: unknown[] = [];
      const hooks = { progress: () => undefined, throwIfCancelled: () => undefined, yieldToEvents: async () => undefined, saveCheckpoint: async (c: unknown) => void cps.push(c) };
      const config = { ...DEFAULT_TRAIN_CONFIG, inputSize: 75, optimizer, epochs: 6, batchSize: 4, learningRate: 0.01, earlyStopping: null, augmentation: null };
      const before = tf.memory().numTensors;
      const full = await trainClassifier({ loaded, config, train: items.slice(0, 8), val: items.slice(8), readPixels, featureStore }, hooks);
      expect(tf.memory().numTensors).toBe(before);
      expect(new Set(full.curve.map((p) => p.tensors)).size).toBe(1);
      expect(full.curve[5].trainLoss).toBeLessThan(full.curve[0].trainLoss);
      // resume from the epoch-3 checkpoint: the remaining epochs repeat exactly
      const resumed = await trainClassifier({ loaded, config, train: items.slice(0, 8), val: items.slice(8), readPixels, featureStore, resumeFrom: cps[2] as never }, hooks);
      expect(resumed.resumedAtEpoch).toBe(3);
      expect(resumed.curve.map((p) => p.trainLoss)).toEqual(full.curve.map((p) => p.trainLoss));
      expect(tf.memory().numTensors).toBe(before);
    }
    net.model.dispose();
  }, 60_000);
});
