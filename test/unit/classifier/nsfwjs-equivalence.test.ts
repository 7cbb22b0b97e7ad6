// The offline default: nsfwjs's Keras InceptionV3, converted by scripts/nsfwjs-inception.mjs and
// loaded by name into OUR architecture, must give the same pooled 2048-d features as nsfwjs's
// own topology loaded with tf.loadLayersModel (truncated at its pooling, `flatten_1`), on real
// chest X-rays from ../shared/data/kermany-subset.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { extractPooledFeatures } from '../../../src/ml/classifier/features';
import { buildInceptionV3 } from '../../../src/ml/classifier/inception-v3';
import { preprocessGrayImages } from '../../../src/ml/classifier/preprocess';
import { loadTfjsLayersWeights } from '../../../src/ml/classifier/weights/tfjs-layers';
import { kermanyDir } from './helpers';
import { decodeJpegGray } from './jpeg';
import { listNsfwjsAssets, NSFWJS_DIR, nsfwjsModelJson, readAsset, readNsfwjsShard } from './nsfwjs-assets';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('nsfwjs backbone', () => {
  test('build-time conversion yields model.json + 6 binary shards with honest metadata', () => {
    const assets = listNsfwjsAssets();
    expect(assets).toEqual([`${NSFWJS_DIR}/model.json`, ...[1, 2, 3, 4, 5, 6].map((k) => `${NSFWJS_DIR}/group1-shard${k}of6.bin`)]);
    const json = nsfwjsModelJson();
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.keras_version).toBe('2.2.4');
    expect(json.weightsManifest[0].paths).toEqual([1, 2, 3, 4, 5, 6].map((k) => `group1-shard${k}of6.bin`));
    const meta = json.userDefinedMetadata as Record<string, string>;
    expect(meta.licence).toMatch(/MIT/);
    expect(meta.weights).toMatch(/mixed5/);
    expect(meta.weights).toMatch(/web images/);
    // uint8-quantized: one byte per value; 22,360,869 values = backbone 21,802,784 + head.
    const bytes = assets.slice(1).reduce((a, p) => a + readAsset(p)!.byteLength, 0);
    expect(bytes).toBe(22_360_869);
    expect(readAsset('models/other/model.json')).toBeNull();
  });

  test('our model with the nsfwjs weights = nsfwjs model (pooled features, max rel diff < 1e-4)', { timeout: 300_000 }, async () => {
    const json = nsfwjsModelJson();
    const ours = buildInceptionV3({ head: null }).model;
    const t0 = performance.now();
    const report = await loadTfjsLayersWeights(ours, json, readNsfwjsShard, { source: 'nsfwjs model.json' });
    const importMs = performance.now() - t0;
    expect(report.values).toBe(21_802_784);
    expect(report.unused.sort()).toEqual(['dense_1/bias', 'dense_1/kernel', 'dense_2/bias', 'dense_2/kernel', 'dense_3/bias', 'dense_3/kernel']);

    // nsfwjs's own model, loaded by tfjs itself from the same converted files.
    const group = json.weightsManifest[0];
    const shards = await Promise.all(group.paths.map(readNsfwjsShard));
    const weightData = new Uint8Array(shards.reduce((a, s) => a + s.byteLength, 0));
    shards.reduce((o, s) => (weightData.set(s, o), o + s.byteLength), 0);
    const reference = await tf.loadLayersModel({
      load: async () => ({ modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: group.weights as tf.io.WeightsManifestEntry[], weightData: weightData.buffer }),
    });
    // Our dequantization is the same expression as tfjs's: the weights must be bit-identical.
    let maxWeightDiff = 0;
    for (const layer of ours.layers) {
      for (const v of layer.weights) {
        const refLayer = reference.getLayer(layer.name);
        const refVar = refLayer.weights.find((w) => w.originalName === v.originalName)!;
        const [a, b] = [v.read().dataSync(), refVar.read().dataSync()];
        for (let i = 0; i < a.length; i++) maxWeightDiff = Math.max(maxWeightDiff, Math.abs(a[i] - b[i]));
      }
    }
    expect(maxWeightDiff).toBe(0);
    const referencePooled = tf.model({ inputs: reference.inputs, outputs: reference.getLayer('flatten_1').output as tf.SymbolicTensor });

    // One normal and one pneumonia CXR (a third added ~15 s of tfjs cpu time and no new coverage).
    const files = ['train/NORMAL/08.jpeg', 'train/PNEUMONIA/01.jpeg'];
    const images = await Promise.all(files.map((f) => decodeJpegGray(join(kermanyDir, f))));
    const t1 = performance.now();
    const oursFeatures = await extractPooledFeatures(ours, images, { batchSize: 2 });
    const oursMs = performance.now() - t1;
    const input = preprocessGrayImages(images, 299);
    const refOut = referencePooled.predict(input) as tf.Tensor;
    const refFeatures = await refOut.data();
    tf.dispose([input, refOut]);

    let maxRel = 0;
    for (let i = 0; i < refFeatures.length; i++) {
      maxRel = Math.max(maxRel, Math.abs(oursFeatures[i] - refFeatures[i]) / Math.max(Math.abs(refFeatures[i]), 1e-6));
    }
    let maxAbs = 0;
    for (let i = 0; i < refFeatures.length; i++) maxAbs = Math.max(maxAbs, Math.abs(oursFeatures[i] - refFeatures[i]));
    const maxRef = Array.from(refFeatures).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    console.log(
      `nsfwjs equivalence on ${files.length} CXRs: max elementwise rel diff ${maxRel.toExponential(2)}, max|Δ| ${maxAbs.toExponential(2)} ` +
        `(max|ref| ${maxRef.toFixed(3)}); weight import ${importMs.toFixed(0)} ms; our features ${(oursMs / 1000).toFixed(1)} s for ${files.length} images @299 (tfjs cpu)`,
    );
    // Features are non-trivial (ReLU outputs pooled; not all zero) and differ between images.
    expect(maxRef).toBeGreaterThan(0.1);
    expect(maxAbs / maxRef).toBeLessThan(1e-4);
    expect(maxRel).toBeLessThan(1e-4);
  });
});
