// Keras HDF5 weight files, in particular keras.applications'
// `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`, read with h5wasm (HDF5 compiled to
// wasm; works in workers). The bytes are written to h5wasm's in-memory file system, read, and
// removed again.
//
// Layout (Keras `save_weights`, also under `model_weights/` for `model.save` files): the root
// attribute `layer_names` lists the layers; each layer group has an attribute `weight_names`
// (e.g. `conv2d_1/kernel:0`) and the datasets live at `<layer>/<weight name>`, i.e.
// `conv2d_1/conv2d_1/kernel:0`, `batch_normalization_1/batch_normalization_1/moving_mean:0`.
// Kernels are already HWIO (channels_last, "tf_kernels"), matching tfjs.
//
// Layer names: Keras's own `load_weights` for these files matches layers by *order*, not name,
// and the names in a file depend on how many layers the saving session had created before
// (`conv2d_95`, or tf.keras's unsuffixed `conv2d`). We therefore match by name when every
// weighted layer name of the file exists in the model, and otherwise by creation order per layer
// kind: the numeric suffixes of the file's `conv2d_*` (and `batch_normalization_*`) layers are
// sorted and paired with ours, which is exactly Keras's creation order.
import type * as tf from '@tensorflow/tfjs';
import { assignWeights, WeightImportError, type AssignReport, type HeadPolicy, type NamedWeights } from './assign';

export interface KerasH5Weight {
  /** As stored, e.g. `conv2d_1/kernel:0`. */
  name: string;
  shape: number[];
  values: Float32Array;
}
export interface KerasH5Layer {
  name: string;
  weights: KerasH5Weight[];
}
export interface KerasH5File {
  layers: KerasH5Layer[];
  kerasVersion?: string;
  backend?: string;
}

interface H5Attr {
  value: unknown;
}
interface H5Node {
  attrs: Record<string, H5Attr>;
  keys?: () => string[];
  get?: (path: string) => H5Node | null;
  shape?: number[] | null;
  value?: unknown;
  type?: string;
}
interface H5Api {
  File: new (path: string, mode: string) => H5Node & { close: () => void };
  FS: { writeFile: (p: string, d: Uint8Array) => void; unlink: (p: string) => void };
}

let h5Api: Promise<H5Api> | null = null;
/** h5wasm, loaded on first use: its ESM build is ~4 MB of JS with the wasm inlined, which most sessions never need. */
export function loadH5wasm(): Promise<H5Api> {
  h5Api ??= import('h5wasm').then(async ({ default: h5wasm }) => {
    const module = await h5wasm.ready;
    return { File: h5wasm.File as unknown as H5Api['File'], FS: module.FS as unknown as H5Api['FS'] };
  });
  return h5Api;
}

const strings = (attr: H5Attr | undefined): string[] => {
  const v = attr?.value;
  if (v == null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((s) => (s instanceof Uint8Array ? new TextDecoder().decode(s) : String(s)).replace(/\0+$/, ''));
};

let fileCounter = 0;

/** Reads every layer's weights from a Keras .h5 weight (or full model) file. */
export async function readKerasH5(data: ArrayBuffer | Uint8Array | Blob, source = 'keras .h5 file'): Promise<KerasH5File> {
  const bytes = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data instanceof Uint8Array ? data : new Uint8Array(data);
  // HDF5 signature: \x89HDF\r\n\x1a\n at offset 0 (a user block could move it; Keras never writes one).
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.byteLength < 8 || !sig.every((b, i) => bytes[i] === b)) throw new WeightImportError(`${source}: not an HDF5 file (bad signature)`);
  const { File, FS } = await loadH5wasm();
  const path = `/keras-weights-${++fileCounter}.h5`;
  FS.writeFile(path, bytes);
  let file: (H5Node & { close: () => void }) | null = null;
  try {
    try {
      const opened = new File(path, 'r');
      // h5wasm reports a failed open as a negative id instead of throwing.
      if (Number((opened as unknown as { file_id: number | bigint }).file_id) < 0) throw new Error('H5Fopen failed');
      file = opened;
    } catch (e) {
      throw new WeightImportError(`${source}: HDF5 library could not open the file (truncated or corrupt?): ${(e as Error).message}`);
    }
    const root: H5Node = file.keys?.().includes('model_weights') ? file.get!('model_weights')! : file;
    const layerNames = strings(root.attrs['layer_names']);
    if (!layerNames.length) throw new WeightImportError(`${source}: no 'layer_names' attribute; not a Keras weight file`);
    const layers: KerasH5Layer[] = [];
    for (const layerName of layerNames) {
      const group = root.get!(layerName);
      if (!group) throw new WeightImportError(`${source}: layer group '${layerName}' listed in layer_names is missing`);
      const weights: KerasH5Weight[] = [];
      for (const weightName of strings(group.attrs['weight_names'])) {
        const ds = group.get!(weightName);
        if (!ds || ds.shape == null) throw new WeightImportError(`${source}: dataset '${layerName}/${weightName}' is missing`);
        let value: unknown;
        try {
          value = ds.value;
        } catch (e) {
          throw new WeightImportError(`${source}: cannot read '${layerName}/${weightName}' (truncated file?): ${(e as Error).message}`);
        }
        const values = value instanceof Float32Array ? value : value instanceof Float64Array ? Float32Array.from(value) : null;
        if (!values) throw new WeightImportError(`${source}: '${layerName}/${weightName}' is not float32/float64 data`);
        weights.push({ name: weightName, shape: [...ds.shape], values });
      }
      layers.push({ name: layerName, weights });
    }
    const attr = (k: string) => strings(file!.attrs[k])[0];
    return { layers, kerasVersion: attr('keras_version'), backend: attr('backend') };
  } catch (e) {
    if (e instanceof WeightImportError) throw e;
    // h5wasm throws plain strings/errors such as "error - name not defined!" on damaged files.
    throw new WeightImportError(`${source}: HDF5 read failed (truncated or corrupt file?): ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    file?.close();
    FS.unlink(path);
  }
}

const KIND_ALIASES: Record<string, string> = { convolution2d: 'conv2d', batchnormalization: 'batch_normalization' };
function kindAndIndex(name: string): { kind: string; index: number } {
  const m = /^(.*?)(?:_(\d+))?$/.exec(name)!;
  return { kind: KIND_ALIASES[m[1]] ?? m[1], index: m[2] === undefined ? 0 : Number(m[2]) };
}

/**
 * File layer name → our layer name, for the file's layers that hold weights; see the file
 * comment. Layers of kinds we do not have (e.g. another head) are left out.
 */
export function matchKerasLayers(fileLayers: string[], modelLayers: string[]): Map<string, string> {
  const ours = new Set(modelLayers);
  if (fileLayers.every((n) => ours.has(n) || !['conv2d', 'batch_normalization'].includes(kindAndIndex(n).kind))) {
    return new Map(fileLayers.filter((n) => ours.has(n)).map((n) => [n, n]));
  }
  const out = new Map<string, string>();
  for (const kind of ['conv2d', 'batch_normalization']) {
    const sortByIndex = (names: string[]) =>
      names.filter((n) => kindAndIndex(n).kind === kind).sort((a, b) => kindAndIndex(a).index - kindAndIndex(b).index);
    const f = sortByIndex(fileLayers);
    const m = sortByIndex(modelLayers);
    if (f.length !== m.length) {
      throw new WeightImportError(`the file has ${f.length} ${kind} layers with weights but the model has ${m.length}; not an Inception-V3 weight file?`);
    }
    f.forEach((n, i) => out.set(n, m[i]));
  }
  for (const n of fileLayers) if (!out.has(n) && ours.has(n)) out.set(n, n);
  return out;
}

export interface KerasH5ImportResult extends AssignReport {
  kerasVersion?: string;
  /** How file layers were matched to ours. */
  matchedBy: 'name' | 'creation-order';
}

/** Reads a Keras .h5 and writes its weights into `model` (a Keras-variant Inception-V3). */
export async function loadKerasH5Weights(
  model: tf.LayersModel,
  data: ArrayBuffer | Uint8Array | Blob,
  options: { source?: string; head?: HeadPolicy } = {},
): Promise<KerasH5ImportResult> {
  const source = options.source ?? 'keras .h5 file';
  const file = await readKerasH5(data, source);
  const weighted = file.layers.filter((l) => l.weights.length);
  const modelWeighted = model.layers.filter((l) => l.weights.length).map((l) => l.name);
  let mapping: Map<string, string>;
  try {
    mapping = matchKerasLayers(weighted.map((l) => l.name), modelWeighted);
  } catch (e) {
    throw new WeightImportError(`${source}: ${(e as Error).message}`);
  }
  const weights: NamedWeights = new Map();
  const unmatched: string[] = [];
  for (const layer of weighted) {
    const ourLayer = mapping.get(layer.name);
    for (const w of layer.weights) {
      if (!ourLayer) {
        unmatched.push(`${layer.name}/${w.name}`);
        continue;
      }
      const short = w.name.slice(w.name.lastIndexOf('/') + 1).replace(/:\d+$/, '');
      weights.set(`${ourLayer}/${short}`, { shape: w.shape, values: w.values, sourceName: `${layer.name}/${w.name}` });
    }
  }
  const report = assignWeights(model, weights, { source, head: options.head });
  const matchedBy = [...mapping].every(([a, b]) => a === b) ? 'name' : 'creation-order';
  return { ...report, unused: [...report.unused, ...unmatched], kerasVersion: file.kerasVersion, matchedBy };
}
