// Input preprocessing (Keras "inception" scaling, gray → 3 channels, resize) and the
// pooled-features API (batching, progress, cancellation).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { extractPooledFeatures } from '../../../src/ml/classifier/features';
import { buildInceptionV3 } from '../../../src/ml/classifier/inception-v3';
import { grayImagesToTensor, preprocessGrayImages, type GrayImage } from '../../../src/ml/classifier/preprocess';
import { randomizeWeights } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const gray = (width: number, height: number, f: (x: number, y: number) => number): GrayImage => {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = f(x, y);
  return { width, height, pixels };
};

describe('preprocess', () => {
  test('x/127.5 − 1, replicated to 3 channels; same-size images are not resampled', async () => {
    const img = gray(4, 4, (x, y) => [0, 255, 127, 64][(x + y) % 4]);
    const t = preprocessGrayImages([img], 4);
    expect(t.shape).toEqual([1, 4, 4, 3]);
    const v = await t.data();
    for (let i = 0; i < 16; i++) {
      const expected = img.pixels[i] / 127.5 - 1;
      for (let c = 0; c < 3; c++) expect(v[i * 3 + c]).toBeCloseTo(expected, 6);
    }
    t.dispose();
  });

  test('resizes each image (any size) bilinearly to the input size; imagenet normalisation', async () => {
    const a = gray(10, 6, () => 200);
    const b = gray(3, 7, (x) => x * 100);
    const g = grayImagesToTensor([a, b], 5);
    expect(g.shape).toEqual([2, 5, 5, 1]);
    const gv = await g.data();
    expect(gv.slice(0, 25).every((x) => Math.abs(x - 200) < 1e-4)).toBe(true); // constant stays constant
    // b's columns increase left to right after resizing.
    expect(gv[25 + 4]).toBeGreaterThan(gv[25]);
    g.dispose();
    const n = preprocessGrayImages([a], 5, 'imagenet');
    const nv = await n.data();
    expect(nv[0]).toBeCloseTo((200 / 255 - 0.485) / 0.229, 4);
    expect(nv[1]).toBeCloseTo((200 / 255 - 0.456) / 0.224, 4);
    expect(nv[2]).toBeCloseTo((200 / 255 - 0.406) / 0.225, 4);
    n.dispose();
    expect(() => grayImagesToTensor([{ width: 3, height: 3, pixels: new Uint8Array(8) }], 4)).toThrow(/3x3 has 8 pixels/);
  });
});

describe('pooled features', () => {
  const net = buildInceptionV3({ inputSize: 75 });
  randomizeWeights(net.model, 5);
  const images = [0, 1, 2, 3, 4].map((k) => gray(90 + k, 80, (x, y) => (x * (k + 1) + y * 3) % 256));

  test('N×2048 features; batching does not change them; progress is reported; no tensor leak', { timeout: 300_000 }, async () => {
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const a = await extractPooledFeatures(net.model, images, { batchSize: 2, onProgress: (done) => progress.push(done) });
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toHaveLength(5 * 2048);
    expect(progress).toEqual([2, 4, 5]);
    const b = await extractPooledFeatures(net.model, images, { batchSize: 5 });
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    expect(diff).toBeLessThan(1e-5);
    // Images differ, so their features differ.
    expect(a.slice(0, 2048).some((v, i) => Math.abs(v - a[2048 + i]) > 1e-4)).toBe(true);
  });

  test('cancellation between batches', async () => {
    const controller = new AbortController();
    const run = extractPooledFeatures(net.model, images, {
      batchSize: 1,
      signal: controller.signal,
      onProgress: (done) => done === 2 && controller.abort(new Error('cancelled by user')),
    });
    await expect(run).rejects.toThrow(/cancelled by user/);
  });
});
