// Shared by the weight importers (timm's adapter idea): each importer turns its file format into
// `NamedWeights` keyed by our variable names (`conv2d_1/kernel`, `batch_normalization_1/beta`,
// `predictions/bias`, …) in our layouts (HWIO kernels, [in, out] dense), and this module checks
// them against the model and writes them. All problems are collected and reported together.
import * as tf from '@tensorflow/tfjs';
import { layerBlocks } from '../inception-v3';

export class WeightImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightImportError';
  }
}

export interface WeightTensor {
  shape: number[];
  values: Float32Array;
  /** Name in the source file, for messages (e.g. `Mixed_5b.branch1x1.bn.running_var`). */
  sourceName?: string;
}
export type NamedWeights = Map<string, WeightTensor>;

/**
 * What to do with the task head (`predictions`): 'ignore' keeps the model's own (fresh)
 * head — the normal case for a pretrained backbone; 'require' fails unless the source has a
 * head of exactly our shape (re-importing a fine-tuned model, torchvision fixture);
 * 'ifCompatible' loads it only when present with matching shapes.
 */
export type HeadPolicy = 'ignore' | 'require' | 'ifCompatible';

export interface AssignOptions {
  /** File name or URL, for messages. */
  source: string;
  head?: HeadPolicy;
}

export interface AssignReport {
  source: string;
  /** Number of model variables written. */
  assigned: number;
  /** Values written (sum of tensor sizes). */
  values: number;
  headLoaded: boolean;
  /** Why the head was not loaded, when it was not. */
  headNote?: string;
  /** Source tensors that matched nothing in the model (e.g. another head, AuxLogits). */
  unused: string[];
}

export interface ExpectedVariable {
  /** Our name, `layer/weight`. */
  name: string;
  layer: string;
  weight: string;
  shape: number[];
  isHead: boolean;
}

/** The model's variables, in layer order, with their stable (original) names. */
export function expectedVariables(model: tf.LayersModel): ExpectedVariable[] {
  const blocks = layerBlocks(model);
  const out: ExpectedVariable[] = [];
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      // originalName is `layer/weight`; `name` gets a uniquifying suffix when several models
      // with the same layer names live in one tfjs session.
      const name = v.originalName;
      out.push({ name, layer: layer.name, weight: name.slice(name.indexOf('/') + 1), shape: v.shape.map(Number), isHead: blocks.get(layer.name) === 'head' });
    }
  }
  return out;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

/** Lists at most `limit` items and says how many more there were. */
export function listSome(items: string[], limit = 12): string {
  return items.length <= limit ? items.join(', ') : `${items.slice(0, limit).join(', ')} … (+${items.length - limit} more)`;
}

export function assignWeights(model: tf.LayersModel, weights: NamedWeights, options: AssignOptions): AssignReport {
  const headPolicy = options.head ?? 'ignore';
  const expected = expectedVariables(model);
  const label = (name: string) => {
    const s = weights.get(name)?.sourceName;
    return s && s !== name ? `${s} (→ ${name})` : name;
  };
  const missing: string[] = [];
  const wrongShape: string[] = [];
  const backbone = expected.filter((v) => !v.isHead);
  const head = expected.filter((v) => v.isHead);
  for (const v of backbone) {
    const w = weights.get(v.name);
    if (!w) missing.push(v.name);
    else if (!sameShape(w.shape, v.shape)) wrongShape.push(`${label(v.name)} has shape ${fmt(w.shape)}, expected ${fmt(v.shape)}`);
  }
  let headLoaded = false;
  let headNote: string | undefined;
  if (headPolicy !== 'ignore' && head.length) {
    const absent = head.filter((v) => !weights.has(v.name));
    const mismatched = head.filter((v) => weights.has(v.name) && !sameShape(weights.get(v.name)!.shape, v.shape));
    if (headPolicy === 'require') {
      missing.push(...absent.map((v) => v.name));
      wrongShape.push(...mismatched.map((v) => `${label(v.name)} has shape ${fmt(weights.get(v.name)!.shape)}, expected ${fmt(v.shape)}`));
      headLoaded = true;
    } else if (absent.length || mismatched.length) {
      headNote = absent.length
        ? `source has no head tensors ${absent.map((v) => v.name).join(', ')}`
        : `source head shapes differ (${mismatched.map((v) => `${label(v.name)} ${fmt(weights.get(v.name)!.shape)} vs ${fmt(v.shape)}`).join('; ')})`;
    } else {
      headLoaded = true;
    }
  } else if (head.length) {
    headNote = 'head kept as initialised (head policy "ignore")';
  }
  if (missing.length || wrongShape.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.length} tensor(s): ${listSome(missing.map(label))}`);
    if (wrongShape.length) parts.push(`wrong shape: ${listSome(wrongShape, 6)}`);
    throw new WeightImportError(`${options.source}: ${parts.join('; ')}`);
  }

  const toLoad = headLoaded ? expected : backbone;
  const byName = new Map<string, tf.LayerVariable>();
  for (const layer of model.layers) for (const v of layer.weights) byName.set(v.originalName, v);
  let values = 0;
  for (const v of toLoad) {
    const w = weights.get(v.name)!;
    const t = tf.tensor(w.values, w.shape, 'float32');
    byName.get(v.name)!.write(t);
    t.dispose();
    values += w.values.length;
  }
  const used = new Set(toLoad.map((v) => v.name));
  const unused = [...weights.keys()].filter((k) => !used.has(k)).map((k) => weights.get(k)?.sourceName ?? k);
  return { source: options.source, assigned: toLoad.length, values, headLoaded, headNote, unused };
}
