// Keras .h5 import. The official inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5 is
// not available offline, so these tests WRITE HDF5 files with h5wasm in the layout Keras's
// `save_weights` uses (root attrs layer_names/backend/keras_version; per layer group attr
// weight_names; datasets at <layer>/<layer>/<weight>:0) for the full Inception-V3 (at 75 px
// input — the weights do not depend on the input size) and read them back.
import h5wasm from 'h5wasm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildInceptionV3 } from '../../../src/ml/classifier/inception-v3';
import { loadKerasH5Weights, matchKerasLayers } from '../../../src/ml/classifier/weights/keras-h5';
import { randomizeWeights, weightValues } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Keras-style weight file for `model`, renaming layers with `rename` (as another session would have named them). */
async function writeKerasH5(
  model: tf.LayersModel,
  rename: (layer: string) => string = (n) => n,
  opts: { drop?: string; rootGroup?: string } = {},
): Promise<Uint8Array> {
  const { FS } = (await h5wasm.ready) as unknown as { FS: { readFile(p: string): Uint8Array; unlink(p: string): void } };
  const path = `/write-${Math.random().toString(36).slice(2)}.h5`;
  const file = new h5wasm.File(path, 'w');
  const root = opts.rootGroup ? file.create_group(opts.rootGroup) : file;
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const names = layers.map((l) => rename(l.name));
  const fixed = (xs: string[]) => `S${Math.max(1, ...xs.map((x) => x.length))}`;
  root.create_attribute('layer_names', names, null, fixed(names));
  file.create_attribute('backend', 'tensorflow');
  file.create_attribute('keras_version', '2.1.5');
  for (const layer of layers) {
    const name = rename(layer.name);
    const group = root.create_group(name);
    const weightNames = layer.weights.map((v) => `${name}/${v.originalName.split('/')[1]}:0`);
    if (weightNames.length) group.create_attribute('weight_names', weightNames, null, fixed(weightNames));
    else group.create_attribute('weight_names', [], [0], 'S1');
    if (!weightNames.length) continue;
    const inner = group.create_group(name);
    layer.weights.forEach((v, i) => {
      if (`${layer.name}/${v.originalName.split('/')[1]}` === opts.drop) return;
      inner.create_dataset({ name: weightNames[i].split('/')[1], data: v.read().dataSync() as Float32Array, shape: v.shape as number[], dtype: '<f' });
    });
  }
  file.close();
  const bytes = FS.readFile(path);
  FS.unlink(path);
  return bytes;
}

describe('Keras HDF5 weights (synthetic files in the Keras layout; the real notop file was not available)', () => {
  const source = buildInceptionV3({ inputSize: 75, head: null });
  randomizeWeights(source.model, 11);
  const expected = weightValues(source.model);

  const expectSameWeights = (model: tf.LayersModel) => {
    const got = weightValues(model);
    expect(got.size).toBe(expected.size);
    let diff = 0;
    for (const [name, v] of expected) {
      const g = got.get(name)!;
      for (let i = 0; i < v.length; i++) diff = Math.max(diff, Math.abs(g[i] - v[i]));
    }
    expect(diff).toBe(0);
  };

  test('same layer names: matched by name, every weight equal', { timeout: 300_000 }, async () => {
    const bytes = await writeKerasH5(source.model);
    const target = buildInceptionV3({ inputSize: 75, head: null }).model;
    const report = await loadKerasH5Weights(target, bytes, { source: 'notop.h5' });
    expect(report.matchedBy).toBe('name');
    expect(report.kerasVersion).toBe('2.1.5');
    expect(report.values).toBe(21_802_784);
    expect(report.unused).toEqual([]);
    expectSameWeights(target);
  });

  test('names from another session (conv2d_95…, tf.keras unsuffixed) and model.save layout: matched by creation order', { timeout: 300_000 }, async () => {
    const offset = (n: string) => n.replace(/^(conv2d|batch_normalization|activation)_(\d+)$/, (_, k, i) => `${k}_${Number(i) + 94}`);
    const target = buildInceptionV3({ inputSize: 75, head: null }).model;
    const r1 = await loadKerasH5Weights(target, await writeKerasH5(source.model, offset, { rootGroup: 'model_weights' }));
    expect(r1.matchedBy).toBe('creation-order');
    expectSameWeights(target);

    // tf.keras: first layer unsuffixed (`conv2d`), then conv2d_1 for Keras's conv2d_2, …
    const tfkeras = (n: string) => n.replace(/^(conv2d|batch_normalization)_(\d+)$/, (_, k, i) => (i === '1' ? k : `${k}_${Number(i) - 1}`));
    const target2 = buildInceptionV3({ inputSize: 75, head: null }).model;
    await loadKerasH5Weights(target2, await writeKerasH5(source.model, tfkeras));
    expectSameWeights(target2);
  });

  test('name matching rules', () => {
    expect(matchKerasLayers(['conv2d_96', 'conv2d_95', 'batch_normalization_95', 'dense_9'], ['conv2d_1', 'conv2d_2', 'batch_normalization_1'])).toEqual(
      new Map([['conv2d_95', 'conv2d_1'], ['conv2d_96', 'conv2d_2'], ['batch_normalization_95', 'batch_normalization_1']]),
    );
    expect(() => matchKerasLayers(['conv2d_5'], ['conv2d_1', 'conv2d_2'])).toThrow(/1 conv2d layers with weights but the model has 2/);
  });

  test('errors: missing dataset, not HDF5, truncated HDF5, wrong shape', { timeout: 300_000 }, async () => {
    const target = buildInceptionV3({ inputSize: 75, head: null }).model;
    const missing = await writeKerasH5(source.model, undefined, { drop: 'batch_normalization_40/moving_variance' });
    await expect(loadKerasH5Weights(target, missing, { source: 'bad.h5' })).rejects.toThrow(
      /bad\.h5: dataset 'batch_normalization_40\/batch_normalization_40\/moving_variance:0' is missing/,
    );
    await expect(loadKerasH5Weights(target, new TextEncoder().encode('<html>404</html>'), { source: 'page.h5' })).rejects.toThrow(/page\.h5: not an HDF5 file/);
    const good = await writeKerasH5(source.model);
    await expect(loadKerasH5Weights(target, good.subarray(0, good.byteLength >> 1), { source: 'half.h5' })).rejects.toThrow(/half\.h5: .*(truncated|corrupt|cannot read)/);
    // A model with another width (a 1-unit head is no problem; a different backbone is).
    const tv = buildInceptionV3({ variant: 'torchvision', inputSize: 75, head: null }).model;
    await expect(loadKerasH5Weights(tv, good, { source: 'notop.h5' })).rejects.toThrow(/missing 94 tensor\(s\): batch_normalization_1\/gamma/);
  });
});
