// tfjs Layers import: a model.json + shards that we write ourselves, with uint8-, uint16- and
// float16-quantized and plain float32 weights split across shards at arbitrary byte
// boundaries, must load into our model exactly as tfjs-core decodes it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildInceptionV3 } from '../../../src/ml/classifier/inception-v3';
import { loadTfjsLayersWeights, urlShardReader, type TfjsModelJson, type TfjsWeightSpec } from '../../../src/ml/classifier/weights/tfjs-layers';
import { randomizeWeights, weightValues } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** f32 → IEEE half, round to nearest even (test-side encoder, independent of the reader). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign; // values here are never that small
  let h = sign | (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return h;
}

/** Writes `model`'s weights as a tfjs weights manifest; quantization chosen per weight. */
function exportQuantized(model: tf.LayersModel, chooser: (name: string) => 'uint8' | 'uint16' | 'float16' | null, shardBytes: number) {
  const specs: TfjsWeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const values = v.read().dataSync() as Float32Array;
      const q = chooser(v.originalName);
      const spec: TfjsWeightSpec = { name: v.originalName, shape: v.shape as number[], dtype: 'float32' };
      if (q === 'uint8' || q === 'uint16') {
        // tensorflowjs_converter's affine scheme: scale = (max−min)/(2^bits−1), q = round((v−min)/scale).
        let min = Infinity;
        let max = -Infinity;
        for (const x of values) {
          min = Math.min(min, x);
          max = Math.max(max, x);
        }
        const levels = q === 'uint8' ? 255 : 65535;
        const scale = max > min ? (max - min) / levels : 1;
        const ints = q === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
        for (let i = 0; i < values.length; i++) ints[i] = Math.round((values[i] - min) / scale);
        spec.quantization = { dtype: q, min, scale };
        chunks.push(new Uint8Array(ints.buffer));
      } else if (q === 'float16') {
        spec.quantization = { dtype: 'float16' };
        chunks.push(new Uint8Array(Uint16Array.from(values, toHalf).buffer));
      } else {
        chunks.push(new Uint8Array(values.slice().buffer));
      }
      specs.push(spec);
    }
  }
  const all = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  chunks.reduce((o, c) => (all.set(c, o), o + c.byteLength), 0);
  const shards = new Map<string, Uint8Array>();
  for (let o = 0, k = 1; o < all.byteLength; o += shardBytes, k++) shards.set(`group1-shard${k}.bin`, all.slice(o, o + shardBytes));
  const modelJson: TfjsModelJson = {
    format: 'layers-model',
    modelTopology: model.toJSON(null, false) as object,
    weightsManifest: [{ paths: [...shards.keys()], weights: specs }],
  };
  return { modelJson, shards, weightData: all };
}

const chooser = (name: string) =>
  name.startsWith('conv2d_') ? (Number(name.split('_')[1].split('/')[0]) % 3 === 0 ? 'uint16' : 'uint8') : name.includes('moving_variance') ? 'float16' : name.includes('beta') ? null : 'uint8';

describe('tfjs Layers weights', () => {
  test('quantized round trip: values equal tfjs-core decodeWeights bit for bit; outputs equal tf.loadLayersModel', { timeout: 300_000 }, async () => {
    const source = buildInceptionV3({ inputSize: 75, head: { units: 2, activation: 'softmax', dropoutRate: 0.5 } });
    randomizeWeights(source.model, 7);
    // 3,000,001-byte shards: tensors straddle shard boundaries at odd offsets.
    const { modelJson, shards, weightData } = exportQuantized(source.model, chooser, 3_000_001);
    expect(shards.size).toBeGreaterThan(3);
    const kinds = new Set(modelJson.weightsManifest[0].weights.map((w) => w.quantization?.dtype ?? 'float32'));
    expect(kinds).toEqual(new Set(['uint8', 'uint16', 'float16', 'float32']));

    const target = buildInceptionV3({ inputSize: 75, head: { units: 2, activation: 'softmax', dropoutRate: 0.5 } });
    const report = await loadTfjsLayersWeights(target.model, JSON.stringify(modelJson), async (p) => shards.get(p)!, { head: 'require', source: 'roundtrip/model.json' });
    expect(report.headLoaded).toBe(true);
    expect(report.unused).toEqual([]);
    expect(report.values).toBe(target.model.countParams());

    const reference = tf.io.decodeWeights(weightData.buffer, modelJson.weightsManifest[0].weights as tf.io.WeightsManifestEntry[]);
    const ours = weightValues(target.model);
    const original = weightValues(source.model);
    let mismatched = 0;
    let worstQuantError = 0;
    for (const [name, ref] of Object.entries(reference)) {
      const a = ours.get(name)!;
      const b = ref.dataSync();
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatched++;
      const spec = modelJson.weightsManifest[0].weights.find((w) => w.name === name)!;
      const o = original.get(name)!;
      const bound = spec.quantization?.scale !== undefined ? spec.quantization.scale / 2 + 1e-6 : spec.quantization ? Math.abs(Math.max(...o)) * 2 ** -11 : 0;
      for (let i = 0; i < a.length; i++) worstQuantError = Math.max(worstQuantError, Math.abs(a[i] - o[i]) - bound);
    }
    tf.dispose(Object.values(reference));
    expect(mismatched).toBe(0);
    expect(worstQuantError).toBeLessThanOrEqual(0); // dequantized within half a step of the original

    // tfjs's own loader on the same artifacts (topology from our model) gives the same outputs.
    const loaded = await tf.loadLayersModel({
      load: async () => ({ modelTopology: modelJson.modelTopology as object, weightSpecs: modelJson.weightsManifest[0].weights as tf.io.WeightsManifestEntry[], weightData: weightData.buffer }),
    });
    const x = tf.randomUniform([2, 75, 75, 3], -1, 1, 'float32', 3);
    const [ya, yb] = [target.model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await ya.data())).toEqual(Array.from(await yb.data()));
    tf.dispose([x, ya, yb]);
  });

  test('errors: truncated shard, missing weight, wrong shape, missing quantization metadata', async () => {
    const source = buildInceptionV3({ inputSize: 75, head: null });
    const { modelJson, shards } = exportQuantized(source.model, () => 'uint8', 8_000_000);
    const target = buildInceptionV3({ inputSize: 75, head: null }).model;
    const read = async (p: string) => shards.get(p)!;

    const lastShard = [...shards.keys()].at(-1)!;
    const truncated = async (p: string) => (p === lastShard ? shards.get(p)!.subarray(0, 1000) : shards.get(p)!);
    await expect(loadTfjsLayersWeights(target, modelJson, truncated, { source: 'x/model.json' })).rejects.toThrow(
      /x\/model\.json: weight group 1 is truncated: shards .* hold \d+ bytes but the manifest needs 21802784/,
    );

    const withoutOne = structuredClone(modelJson);
    const spec = withoutOne.weightsManifest[0].weights;
    const idx = spec.findIndex((w) => w.name === 'batch_normalization_17/moving_mean');
    // Keep byte offsets valid: mark the entry as belonging to another name.
    spec[idx] = { ...spec[idx], name: 'something_else/moving_mean' };
    await expect(loadTfjsLayersWeights(target, withoutOne, read)).rejects.toThrow(/missing 1 tensor\(s\): batch_normalization_17\/moving_mean/);

    const reshaped = structuredClone(modelJson);
    const k = reshaped.weightsManifest[0].weights.find((w) => w.name === 'conv2d_3/kernel')!;
    k.shape = [3, 3, 64, 32]; // same size as [3,3,32,64]
    await expect(loadTfjsLayersWeights(target, reshaped, read)).rejects.toThrow(/wrong shape: conv2d_3\/kernel has shape \[3,3,64,32\], expected \[3,3,32,64\]/);

    const noScale = structuredClone(modelJson);
    delete noScale.weightsManifest[0].weights[0].quantization!.scale;
    await expect(loadTfjsLayersWeights(target, noScale, read)).rejects.toThrow(/uint8-quantized but lacks min\/scale/);
    await expect(loadTfjsLayersWeights(target, '{"modelTopology": {}}', read)).rejects.toThrow(/no weightsManifest/);
  });

  test('urlShardReader resolves shard paths against the model.json URL and reports HTTP errors', async () => {
    const seen: string[] = [];
    const fakeFetch = (async (url: URL) => {
      seen.push(String(url));
      return url.pathname.endsWith('missing.bin') ? new Response('nope', { status: 404, statusText: 'Not Found' }) : new Response(new Uint8Array([1, 2, 3]));
    }) as unknown as typeof fetch;
    const read = urlShardReader('https://example.org/app/models/m/model.json', fakeFetch);
    expect(new Uint8Array((await read('group1-shard1of1.bin')) as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(seen).toEqual(['https://example.org/app/models/m/group1-shard1of1.bin']);
    await expect(read('missing.bin')).rejects.toThrow('https://example.org/app/models/m/missing.bin: HTTP 404 Not Found');
  });
});
