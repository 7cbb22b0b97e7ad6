// Where a classifier's starting weights come from, and loading them into a fresh network.
// Every source yields a content hash (recorded in the run, and the key of the feature cache).
import * as tf from '@tensorflow/tfjs';
import { buildInceptionV3, type ClassifierHead, type InceptionV3, type InceptionVariant } from '../inception-v3';
import type { InputNormalization } from '../preprocess';
import { WeightImportError, type HeadPolicy } from '../weights/assign';
import { loadKerasH5Weights } from '../weights/keras-h5';
import { loadTfjsLayersWeights, NSFWJS_MODEL_PATH, parseTfjsModelJson, urlShardReader } from '../weights/tfjs-layers';
import { loadTorchvisionSafetensors } from '../weights/torchvision';
import { describeSource, NSFWJS_DESCRIPTION, type WeightsSource } from './sources';

export { describeSource, NSFWJS_DESCRIPTION, type WeightsSource };

/** Metadata we write into exported model.json files so a re-import rebuilds the same network. */
export interface ExportedClassifierMetadata {
  variant: InceptionVariant;
  inputSize: number;
  head: ClassifierHead;
  normalization: InputNormalization;
  runId?: string;
}
export const EXPORT_METADATA_KEY = 'cxrClassifier';

export interface LoadedNetwork {
  net: InceptionV3;
  /** SHA-256 (hex) identifying the source weights */
  weightsHash: string;
  description: string;
  normalization: InputNormalization;
  /** whether the source's own task head was loaded (fine-tuned re-imports) */
  headLoaded: boolean;
  notes: string[];
}

export interface SourceIo {
  /** the app's base URL (for the nsfwjs files) */
  baseUrl: string;
  fetchFn?: typeof fetch;
  /** model-store access (OPFS); only needed for the model-store sources */
  modelFileBytes?: (modelId: string, path: string) => Promise<Uint8Array>;
  modelFileSha256?: (modelId: string, path: string) => Promise<string | null>;
}

import { KERAS_H5_FILE, TIMM_FILE } from './sources';

export async function sha256Hex(parts: (Uint8Array | ArrayBuffer | string)[]): Promise<string> {
  // Hash of the parts' hashes: no need to hold everything in one buffer.
  const digests: Uint8Array[] = [];
  for (const p of parts) {
    const bytes = typeof p === 'string' ? new TextEncoder().encode(p) : p instanceof Uint8Array ? p : new Uint8Array(p);
    digests.push(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
  }
  const all = digests.length === 1 ? digests[0] : new Uint8Array(await crypto.subtle.digest('SHA-256', concat(digests)));
  return [...all].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** Reads the exported-model metadata from a tfjs model.json, if it is one of ours. */
export function exportedMetadata(json: unknown): ExportedClassifierMetadata | null {
  const meta = (json as { userDefinedMetadata?: Record<string, unknown> })?.userDefinedMetadata?.[EXPORT_METADATA_KEY];
  if (!meta || typeof meta !== 'object') return null;
  const m = meta as ExportedClassifierMetadata;
  if ((m.variant !== 'keras' && m.variant !== 'torchvision') || !Number.isInteger(m.inputSize) || !m.head) return null;
  return m;
}

/**
 * Builds Inception-V3 for `inputSize`/`head` and loads `source` into it. A fine-tuned model
 * exported by this app carries its own variant, input size and head; `head: 'ifCompatible'`
 * then keeps its trained head (used for re-import and scoring).
 */
export async function loadNetwork(
  source: WeightsSource,
  opts: { inputSize: number; head: ClassifierHead | null; headPolicy?: HeadPolicy },
  io: SourceIo,
): Promise<LoadedNetwork> {
  const headPolicy = opts.headPolicy ?? 'ignore';
  const notes: string[] = [];
  if (source.kind === 'nsfwjs' || source.kind === 'tfjs-files') {
    let jsonText: string;
    let readShard: (path: string) => Promise<ArrayBuffer | Uint8Array>;
    let sourceName: string;
    if (source.kind === 'nsfwjs') {
      const url = new URL(NSFWJS_MODEL_PATH, io.baseUrl);
      sourceName = url.pathname;
      const fetchFn = io.fetchFn ?? fetch;
      const r = await fetchFn(url);
      if (!r.ok) throw new WeightImportError(`${sourceName}: HTTP ${r.status} — the app build did not include the nsfwjs backbone (scripts/nsfwjs-inception.mjs)`);
      jsonText = await r.text();
      readShard = urlShardReader(url, fetchFn);
    } else {
      const jsonFile = source.files.find((f) => f.name.endsWith('.json'));
      if (!jsonFile) throw new WeightImportError(`no model.json among the chosen files (${source.files.map((f) => f.name).join(', ') || 'none'})`);
      sourceName = jsonFile.name;
      jsonText = await jsonFile.text();
      const byName = new Map(source.files.map((f) => [f.name, f]));
      readShard = async (path) => {
        const base = path.slice(path.lastIndexOf('/') + 1);
        const f = byName.get(base);
        if (!f) throw new WeightImportError(`${sourceName}: weight file "${base}" listed in the manifest was not among the chosen files`);
        return new Uint8Array(await f.arrayBuffer());
      };
    }
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(jsonText);
    } catch (e) {
      throw new WeightImportError(`${sourceName}: not valid JSON (${(e as Error).message})`);
    }
    const manifest = parseTfjsModelJson(parsedJson, sourceName);
    const meta = exportedMetadata(parsedJson);
    const variant = meta?.variant ?? 'keras';
    const inputSize = meta && headPolicy !== 'ignore' ? meta.inputSize : opts.inputSize;
    const head = meta && headPolicy !== 'ignore' ? meta.head : opts.head;
    if (meta && headPolicy !== 'ignore' && meta.inputSize !== opts.inputSize) notes.push(`exported model uses input ${meta.inputSize} px; using that`);
    // Shards are read once for the hash and once by the importer; cache them between the two.
    const shardCache = new Map<string, Uint8Array>();
    const cachedRead = async (p: string) => {
      let b = shardCache.get(p);
      if (!b) {
        const raw = await readShard(p);
        b = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
        shardCache.set(p, b);
      }
      return b;
    };
    const shardBytes: Uint8Array[] = [];
    for (const g of manifest.weightsManifest) for (const p of g.paths) shardBytes.push(await cachedRead(p));
    const weightsHash = await sha256Hex([JSON.stringify(manifest.weightsManifest), ...shardBytes]);
    const net = buildInceptionV3({ inputSize, variant, head });
    try {
      const report = await loadTfjsLayersWeights(net.model, manifest, cachedRead, { source: sourceName, head: headPolicy });
      if (report.headNote) notes.push(report.headNote);
      return {
        net, weightsHash, headLoaded: report.headLoaded, notes,
        description: source.kind === 'nsfwjs' ? NSFWJS_DESCRIPTION : describeSource(source),
        normalization: meta?.normalization ?? 'inception',
      };
    } catch (e) {
      net.model.dispose();
      throw e;
    }
  }

  let bytes: Uint8Array;
  let file: string;
  let weightsHash: string;
  if (source.kind === 'keras-h5-file' || source.kind === 'timm-safetensors-file') {
    file = source.file.name;
    bytes = new Uint8Array(await source.file.arrayBuffer());
    weightsHash = await sha256Hex([bytes]);
  } else {
    const getBytes = io.modelFileBytes;
    if (!getBytes) throw new Error('model store access is not available here');
    file = source.kind === 'keras-h5' ? KERAS_H5_FILE : TIMM_FILE;
    try {
      bytes = await getBytes(source.modelId, file);
    } catch (e) {
      throw new WeightImportError(`${describeSource(source)}: ${(e as Error).message}`);
    }
    weightsHash = (await io.modelFileSha256?.(source.modelId, file)) ?? (await sha256Hex([bytes]));
  }
  const variant = source.kind === 'keras-h5' || source.kind === 'keras-h5-file' ? 'keras' : 'torchvision';
  const net = buildInceptionV3({ inputSize: opts.inputSize, variant, head: opts.head });
  try {
    const report =
      variant === 'keras'
        ? await loadKerasH5Weights(net.model, bytes, { source: file, head: headPolicy })
        : loadTorchvisionSafetensors(net, bytes, { source: file, head: headPolicy });
    if (report.headNote) notes.push(report.headNote);
    return { net, weightsHash, description: describeSource(source), normalization: 'inception', headLoaded: report.headLoaded, notes };
  } catch (e) {
    net.model.dispose();
    throw e;
  }
}

/** Serialises a model as a standard tfjs Layers artefact (model.json + one weights.bin). */
export async function exportLayersModel(
  model: tf.LayersModel,
  metadata: ExportedClassifierMetadata,
): Promise<{ modelJson: string; weights: ArrayBuffer }> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved as unknown as tf.io.ModelArtifacts;
  const data = a.weightData;
  const weights = data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data as ArrayBuffer[]);
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: 'cxr-ldm-augment',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    userDefinedMetadata: { [EXPORT_METADATA_KEY]: metadata },
  });
  return { modelJson, weights };
}
