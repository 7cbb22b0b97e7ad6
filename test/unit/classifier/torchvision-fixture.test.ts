// The torchvision fixture (../shared/fixtures/inception-v3, README section C): its F16
// safetensors loaded into our torchvision-variant model must reproduce torch's logits and
// pooled features on tfjs's cpu backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildInceptionV3, featuresAndPredictionsModel } from '../../../src/ml/classifier/inception-v3';
import { loadTorchvisionSafetensors } from '../../../src/ml/classifier/weights/torchvision';
import { argmaxRows, inceptionFixtureDir, readFloat32File, relativeError } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('torchvision Inception3 fixture', () => {
  test('reproduces logits and pooled features (rel < 1e-3, argmax equal)', { timeout: 300_000 }, async () => {
    const net = buildInceptionV3({ variant: 'torchvision', head: { units: 2, activation: 'linear', dropoutRate: 0.5 } });
    const t0 = performance.now();
    const report = loadTorchvisionSafetensors(net, readFileSync(join(inceptionFixtureDir, 'model.safetensors')), { head: 'require' });
    const loadMs = performance.now() - t0;
    expect(report.headLoaded).toBe(true);
    expect(report.unusedInFile).toEqual([]);
    expect(report.assigned).toBe(472); // every tensor in the file, each used once
    expect(report.values).toBe(21_789_666 + 34_432);

    // 2 of the 4 fixture images: tfjs cpu in Node takes ~15 s per 299 px image on the 2-core CI
    // machine, and the check is per image (the browser test adds image 0 on webgpu).
    const N = 2;
    const nchw = tf.tensor4d(readFloat32File(join(inceptionFixtureDir, 'refs/input.bin')).subarray(0, N * 3 * 299 * 299), [N, 3, 299, 299]);
    const input = tf.transpose(nchw, [0, 2, 3, 1]);
    const both = featuresAndPredictionsModel(net.model);
    const t1 = performance.now();
    const [features, logits] = both.predict(input) as tf.Tensor[];
    const featureValues = await features.data();
    const logitValues = await logits.data();
    const forwardMs = performance.now() - t1;

    const refLogits = readFloat32File(join(inceptionFixtureDir, 'refs/logits.bin')).subarray(0, N * 2);
    const refFeatures = readFloat32File(join(inceptionFixtureDir, 'refs/features.bin')).subarray(0, N * 2048);
    const logitsRel = relativeError(logitValues, refLogits);
    const featuresRel = relativeError(featureValues, refFeatures);
    console.log(
      `torchvision fixture: logits rel ${logitsRel.toExponential(2)}, features rel ${featuresRel.toExponential(2)}; ` +
        `import ${loadMs.toFixed(0)} ms, forward ${N} images @299 ${(forwardMs / 1000).toFixed(1)} s (tfjs cpu)`,
    );
    expect(logitsRel).toBeLessThan(1e-3);
    expect(featuresRel).toBeLessThan(1e-3);
    expect(argmaxRows(logitValues, 2)).toEqual(argmaxRows(refLogits, 2));
    tf.dispose([nchw, input, features, logits]);
  });

  test('the Keras variant cannot take torchvision weights', () => {
    const net = buildInceptionV3({ inputSize: 75, head: null });
    expect(() => loadTorchvisionSafetensors(net, readFileSync(join(inceptionFixtureDir, 'model.safetensors')), { source: 'fixture' })).toThrow(
      /variant 'torchvision'/,
    );
  });
});
