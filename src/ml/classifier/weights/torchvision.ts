// torchvision / timm Inception-V3 weights (safetensors) → our Keras-named layers.
//
// Names: `<module>.conv.weight` [O,I,kh,kw] and `<module>.bn.{weight,bias,running_mean,
// running_var}` for each BasicConv2d, where <module> is e.g. `Conv2d_1a_3x3` or
// `Mixed_6b.branch7x7dbl_4` (the builder records the module of every conv unit), plus
// `fc.weight` [classes, 2048] and `fc.bias`. timm's `inception_v3.*` checkpoints use the same
// names. Layouts: conv OIHW → HWIO, fc [out,in] → [in,out]. `num_batches_tracked` and the
// training-only `AuxLogits.*` branch are ignored (listed as unused in the report).
//
// The target must be built with `variant: 'torchvision'`: torchvision's BN has a learned scale
// and its branch pools count padding; see src/ml/classifier/inception-v3.ts.
import type { InceptionV3 } from '../inception-v3';
import { PREDICTIONS_LAYER } from '../inception-v3';
import { parseSafetensors, readFloat32, type SafetensorsFile } from '../../formats/safetensors';
import { assignWeights, listSome, WeightImportError, type AssignReport, type HeadPolicy, type NamedWeights } from './assign';

/** Our variable name → torchvision tensor name and the layout conversion it needs. */
export interface TorchvisionMapping {
  ours: string;
  torchvision: string;
  layout: 'oihw->hwio' | 'out,in->in,out' | 'same';
}

export function torchvisionMapping(net: InceptionV3): TorchvisionMapping[] {
  const out: TorchvisionMapping[] = [];
  for (const u of net.units) {
    out.push({ ours: `${u.conv}/kernel`, torchvision: `${u.torchvision}.conv.weight`, layout: 'oihw->hwio' });
    out.push({ ours: `${u.batchNorm}/gamma`, torchvision: `${u.torchvision}.bn.weight`, layout: 'same' });
    out.push({ ours: `${u.batchNorm}/beta`, torchvision: `${u.torchvision}.bn.bias`, layout: 'same' });
    out.push({ ours: `${u.batchNorm}/moving_mean`, torchvision: `${u.torchvision}.bn.running_mean`, layout: 'same' });
    out.push({ ours: `${u.batchNorm}/moving_variance`, torchvision: `${u.torchvision}.bn.running_var`, layout: 'same' });
  }
  if (net.head) {
    out.push({ ours: `${PREDICTIONS_LAYER}/kernel`, torchvision: 'fc.weight', layout: 'out,in->in,out' });
    out.push({ ours: `${PREDICTIONS_LAYER}/bias`, torchvision: 'fc.bias', layout: 'same' });
  }
  return out;
}

/** Permutes a dense row-major array: out[dims permuted by `perm`]. */
export function transpose(values: Float32Array, shape: number[], perm: number[]): { values: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const stepIn = perm.map((p) => inStrides[p]);
  const out = new Float32Array(values.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = values[src];
    // Odometer increment over the output index, tracking the source offset.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += stepIn[d];
      if (idx[d] < outShape[d]) break;
      src -= stepIn[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return { values: out, shape: outShape };
}

/** Reads the tensors `net` needs from a parsed safetensors file, converted to our layouts. */
export function torchvisionWeights(net: InceptionV3, file: SafetensorsFile, head: HeadPolicy = 'ignore'): NamedWeights {
  if (net.variant !== 'torchvision') {
    throw new WeightImportError(
      `${file.source}: torchvision/timm weights need the model built with variant 'torchvision' ` +
        `(BN scale and count_include_pad average pooling); this model is '${net.variant}'`,
    );
  }
  const weights: NamedWeights = new Map();
  const missing: string[] = [];
  const wrongRank: string[] = [];
  for (const m of torchvisionMapping(net)) {
    const isHead = m.ours.startsWith(`${PREDICTIONS_LAYER}/`);
    if (isHead && head === 'ignore') continue;
    const entry = file.tensors.get(m.torchvision);
    if (!entry) {
      if (!isHead || head === 'require') missing.push(m.torchvision);
      continue;
    }
    const values = readFloat32(file, m.torchvision);
    const wantRank = m.layout === 'oihw->hwio' ? 4 : m.layout === 'out,in->in,out' ? 2 : 1;
    if (entry.shape.length !== wantRank) {
      wrongRank.push(`${m.torchvision} has shape [${entry.shape.join(',')}], expected rank ${wantRank}`);
      continue;
    }
    const converted =
      m.layout === 'oihw->hwio'
        ? transpose(values, entry.shape, [2, 3, 1, 0])
        : m.layout === 'out,in->in,out'
          ? transpose(values, entry.shape, [1, 0])
          : { values, shape: entry.shape };
    weights.set(m.ours, { ...converted, sourceName: m.torchvision });
  }
  if (missing.length || wrongRank.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.length} tensor(s): ${listSome(missing)}`);
    if (wrongRank.length) parts.push(`wrong shape: ${listSome(wrongRank, 6)}`);
    throw new WeightImportError(`${file.source}: ${parts.join('; ')}`);
  }
  return weights;
}

export interface TorchvisionImportResult extends AssignReport {
  /** Tensors in the file that were not used (e.g. AuxLogits.*, num_batches_tracked, a 1000-class fc). */
  unusedInFile: string[];
  metadata: Record<string, string>;
}

/** Parses `model.safetensors` (torchvision/timm names) and writes it into `net.model`. */
export function loadTorchvisionSafetensors(
  net: InceptionV3,
  bytes: ArrayBuffer | Uint8Array,
  options: { source?: string; head?: HeadPolicy } = {},
): TorchvisionImportResult {
  const source = options.source ?? 'model.safetensors';
  const head = options.head ?? 'ignore';
  const file = parseSafetensors(bytes, source);
  const weights = torchvisionWeights(net, file, head);
  const report = assignWeights(net.model, weights, { source, head });
  const notAssigned = new Set(report.unused); // e.g. an fc read but skipped by the head policy
  const used = new Set([...weights.values()].map((w) => w.sourceName).filter((n) => n && !notAssigned.has(n)));
  const unusedInFile = [...file.tensors.keys()].filter((k) => !used.has(k));
  return { ...report, unusedInFile, metadata: file.metadata };
}
