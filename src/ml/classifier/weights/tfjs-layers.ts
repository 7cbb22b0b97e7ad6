// tfjs Layers models (model.json + binary shards, e.g. Keras weights converted with
// tensorflowjs_converter, or the nsfwjs backbone derived by scripts/nsfwjs-inception.mjs) →
// our layers, by weight name (`conv2d_1/kernel`, `batch_normalization_1/moving_mean`, …).
//
// Decoding follows tfjs-core 4.22 `io_utils.decodeWeights`: the shards of one group are
// concatenated and the group's weights are read back to back in manifest order; a weight with
// `quantization: {dtype: 'uint8'|'uint16', min, scale}` is dequantized as `q * scale + min`
// (computed in double, stored as float32 — the same expression tfjs uses, so values are
// bit-identical to `tf.loadLayersModel`); `quantization.dtype: 'float16'` is widened from half.
import type * as tf from '@tensorflow/tfjs';
import { copyBytes, float16ToFloat32 } from '../../formats/safetensors';
import { assignWeights, WeightImportError, type AssignReport, type HeadPolicy, type NamedWeights } from './assign';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number };
  group?: string;
}
export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}
export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology?: unknown;
  weightsManifest: TfjsWeightsGroup[];
  userDefinedMetadata?: Record<string, unknown>;
}

const VALUE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Validates the parts of model.json we rely on. */
export function parseTfjsModelJson(json: unknown, source = 'model.json'): TfjsModelJson {
  let obj = json;
  if (typeof json === 'string') {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new WeightImportError(`${source}: not valid JSON (${(e as Error).message})`);
    }
  }
  const m = obj as TfjsModelJson;
  if (!m || typeof m !== 'object' || !Array.isArray(m.weightsManifest)) {
    throw new WeightImportError(`${source}: no weightsManifest; not a tfjs Layers model.json`);
  }
  m.weightsManifest.forEach((g, gi) => {
    if (!Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new WeightImportError(`${source}: weightsManifest[${gi}] lacks paths or weights`);
    for (const w of g.weights) {
      if (typeof w.name !== 'string' || !Array.isArray(w.shape)) throw new WeightImportError(`${source}: weightsManifest[${gi}] has a malformed entry ${JSON.stringify(w).slice(0, 120)}`);
      const q = w.quantization;
      if (q) {
        if (!['uint8', 'uint16', 'float16'].includes(q.dtype)) throw new WeightImportError(`${source}: weight ${w.name} has unknown quantization dtype ${q.dtype}`);
        if ((q.dtype === 'uint8' || q.dtype === 'uint16') && (typeof q.min !== 'number' || typeof q.scale !== 'number')) {
          throw new WeightImportError(`${source}: weight ${w.name} is ${q.dtype}-quantized but lacks min/scale`);
        }
      } else if (w.dtype === 'string') {
        throw new WeightImportError(`${source}: weight ${w.name} has dtype string, which a Layers model cannot hold`);
      }
    }
  });
  return m;
}

const byteLength = (w: TfjsWeightSpec) =>
  w.shape.reduce((a, b) => a * b, 1) * VALUE_BYTES[w.quantization ? w.quantization.dtype : w.dtype];

/** Dequantizes one weight exactly as tfjs-core does; see the file comment. */
function decodeValues(w: TfjsWeightSpec, bytes: Uint8Array): Float32Array {
  const q = w.quantization;
  const aligned = copyBytes(bytes, 0, bytes.byteLength); // shard offsets are not aligned to the element size
  if (!q) return w.dtype === 'float32' ? new Float32Array(aligned) : Float32Array.from(new Int32Array(aligned));
  if (q.dtype === 'float16') return float16ToFloat32(new Uint16Array(aligned));
  const ints = q.dtype === 'uint8' ? new Uint8Array(aligned) : new Uint16Array(aligned);
  const out = new Float32Array(ints.length);
  const scale = q.scale!;
  const min = q.min!;
  for (let i = 0; i < ints.length; i++) out[i] = ints[i] * scale + min;
  return out;
}

export type ShardReader = (path: string) => Promise<ArrayBuffer | Uint8Array>;

/**
 * Reads and decodes all float weights of a model.json. `readShard` receives the path exactly
 * as written in the manifest (relative to model.json).
 */
export async function readTfjsLayersWeights(
  modelJson: TfjsModelJson,
  readShard: ShardReader,
  source = 'model.json',
): Promise<NamedWeights> {
  const weights: NamedWeights = new Map();
  for (const [gi, group] of modelJson.weightsManifest.entries()) {
    const parts: Uint8Array[] = [];
    for (const path of group.paths) {
      const b = await readShard(path);
      parts.push(b instanceof Uint8Array ? b : new Uint8Array(b));
    }
    const total = parts.reduce((a, p) => a + p.byteLength, 0);
    const needed = group.weights.reduce((a, w) => a + byteLength(w), 0);
    if (total < needed) {
      throw new WeightImportError(
        `${source}: weight group ${gi + 1} is truncated: shards ${group.paths.join(', ')} hold ${total} bytes but the manifest needs ${needed}`,
      );
    }
    const data = parts.length === 1 ? parts[0] : concat(parts, total);
    let offset = 0;
    for (const w of group.weights) {
      const n = byteLength(w);
      if (w.dtype === 'float32' || w.dtype === 'int32') {
        if (weights.has(w.name)) throw new WeightImportError(`${source}: weight ${w.name} appears twice in the manifest`);
        weights.set(w.name, { shape: w.shape, values: decodeValues(w, data.subarray(offset, offset + n)) });
      }
      offset += n;
    }
  }
  return weights;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

export interface TfjsImportResult extends AssignReport {
  metadata?: Record<string, unknown>;
}

/**
 * Loads a tfjs Layers model's weights into `model` by name. Keras's ':0' suffixes (some
 * converters keep them) are dropped. The topology in model.json is not used: only names and
 * shapes must agree, so any Keras-named Inception-V3 (any head) works as a backbone source.
 */
export async function loadTfjsLayersWeights(
  model: tf.LayersModel,
  modelJson: TfjsModelJson | string,
  readShard: ShardReader,
  options: { source?: string; head?: HeadPolicy } = {},
): Promise<TfjsImportResult> {
  const source = options.source ?? 'model.json';
  const parsed = parseTfjsModelJson(modelJson, source);
  const raw = await readTfjsLayersWeights(parsed, readShard, source);
  const weights: NamedWeights = new Map();
  for (const [name, w] of raw) weights.set(name.replace(/:0$/, ''), { ...w, sourceName: name });
  const report = assignWeights(model, weights, { source, head: options.head });
  return { ...report, metadata: parsed.userDefinedMetadata };
}

/** Where the app serves the build-time nsfwjs backbone (scripts/nsfwjs-inception.mjs), relative to its base URL. */
export const NSFWJS_MODEL_PATH = 'models/nsfwjs-inception-v3/model.json';

/**
 * Reads shards over HTTP, resolving manifest paths against the model.json URL as tfjs does.
 * Download caching, hashing and resumption belong to the caller's `fetchFn`.
 */
export function urlShardReader(modelJsonUrl: string | URL, fetchFn: typeof fetch = fetch): ShardReader {
  return async (path) => {
    const url = new URL(path, modelJsonUrl);
    const response = await fetchFn(url);
    if (!response.ok) throw new WeightImportError(`${url}: HTTP ${response.status} ${response.statusText}`.trim());
    return response.arrayBuffer();
  };
}
