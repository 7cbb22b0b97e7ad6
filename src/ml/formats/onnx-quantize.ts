// Weight-only int8 quantization of an ONNX model, the QDQ way: each large float32 weight
// of a Conv, MatMul or Gemm becomes an int8 initializer plus a per-output-channel scale, and
// a DequantizeLinear node recreates the float weight under its old name, so the rest of the
// graph is untouched. Optionally MatMul weights go to 4 bits instead, as ORT's MatMulNBits. ORT's WebGPU EP runs DequantizeLinear (it has no QLinearConv /
// MatMulInteger kernels, so activation quantization is not an option there). Weights stored
// as external data are read through `readExternal`; the result is one self-contained
// model.onnx (every remaining external tensor is inlined), about a quarter of the weights'
// float size.
import { lengthDelimited, nodeProto, tensorProto } from '../onnx-builder/onnx-graph';
import { concatBytes, protoFields, protoInts, protoString, type ProtoField } from '../onnx-builder/proto-fields';

export type ExternalDataReader = (location: string, offset: number, length: number) => Promise<Uint8Array>;

export interface QuantizeOptions {
  /** weights with fewer elements stay float (biases, norms, tiny kernels); default 1024 */
  minElements?: number;
  /**
   * MatMul weights as 4-bit blocks in ORT's MatMulNBits (com.microsoft) instead of int8 QDQ:
   * about half the int8 size again; ORT's WebGPU and wasm EPs both have kernels for it.
   */
  matMul4Bit?: boolean;
  /** reads `length` bytes at `offset` of an external data file next to the model */
  readExternal?: ExternalDataReader;
}

export interface QuantizedTensor {
  name: string;
  dims: number[];
  /** 8 (int8 QDQ) or 4 (MatMulNBits) */
  bits: 4 | 8;
  /** the per-channel axis, or null for one scale for the whole tensor */
  axis: number | null;
  consumer: string;
  /** largest |w − dequantized w| relative to the tensor's largest |w| */
  maxRelError: number;
}

export interface QuantizeResult {
  model: Uint8Array;
  tensors: QuantizedTensor[];
  /** float32 bytes of the quantized weights, and what replaced them (int8 + scales) */
  floatBytes: number;
  quantizedBytes: number;
}

export class OnnxQuantizeError extends Error {
  override name = 'OnnxQuantizeError';
}

const FLOAT = 1;
const WEIGHT_OPS = new Set(['Conv', 'MatMul', 'Gemm']);

interface NodeInfo {
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  name: string;
  transB: boolean;
}

interface TensorInfo {
  field: ProtoField;
  name: string;
  dims: number[];
  dataType: number;
  raw?: Uint8Array;
  floatData?: Float32Array;
  external?: { location: string; offset: number; length: number };
  /** TensorProto fields other than data and data location */
  keep: Uint8Array[];
}

function readNode(body: Uint8Array): NodeInfo {
  const fs = protoFields(body);
  let transB = false;
  for (const a of fs.filter((f) => f.field === 5)) {
    const af = protoFields(a.body!);
    if (protoString(af.find((f) => f.field === 1)) === 'transB') transB = (af.find((f) => f.field === 3)?.value ?? 0) === 1;
  }
  return {
    op: protoString(fs.find((f) => f.field === 4)) ?? '',
    domain: protoString(fs.find((f) => f.field === 7)) ?? '',
    inputs: fs.filter((f) => f.field === 1).map((f) => protoString(f) ?? ''),
    outputs: fs.filter((f) => f.field === 2).map((f) => protoString(f) ?? ''),
    name: protoString(fs.find((f) => f.field === 3)) ?? '',
    transB,
  };
}

function readTensor(field: ProtoField): TensorInfo {
  const fs = protoFields(field.body!);
  const info: TensorInfo = { field, name: protoString(fs.find((f) => f.field === 8)) ?? '', dims: protoInts(fs, 1), dataType: fs.find((f) => f.field === 2)?.value ?? 0, keep: [] };
  const entries = new Map<string, string>();
  for (const f of fs) {
    if (f.field === 9) info.raw = f.body;
    else if (f.field === 4 && f.wire === 2) info.floatData = new Float32Array(f.body!.slice().buffer);
    else if (f.field === 13) {
      const ef = protoFields(f.body!);
      entries.set(protoString(ef.find((e) => e.field === 1)) ?? '', protoString(ef.find((e) => e.field === 2)) ?? '');
    } else if (f.field !== 14) info.keep.push(f.raw);
  }
  if (entries.has('location')) {
    info.external = { location: entries.get('location')!, offset: Number(entries.get('offset') ?? 0), length: Number(entries.get('length') ?? NaN) };
  }
  return info;
}

async function tensorBytes(t: TensorInfo, readExternal: ExternalDataReader | undefined): Promise<Uint8Array> {
  if (t.raw) return t.raw;
  if (t.floatData) return new Uint8Array(t.floatData.buffer);
  if (t.external) {
    if (!readExternal) throw new OnnxQuantizeError(`${t.name} is stored in ${t.external.location}, and no reader for external data was given`);
    const count = t.dims.reduce((a, b) => a * b, 1);
    const length = Number.isFinite(t.external.length) ? t.external.length : count * 4;
    const bytes = await readExternal(t.external.location, t.external.offset, length);
    if (bytes.length !== length) throw new OnnxQuantizeError(`${t.external.location} ended early: ${t.name} needs ${length} bytes at ${t.external.offset}, got ${bytes.length}`);
    return bytes;
  }
  // an initializer with no data: zero elements, or a typed field this tool does not read
  return new Uint8Array(0);
}

function quantize(w: Float32Array, dims: number[], axis: number | null): { q: Int8Array; scales: Float32Array; maxRelError: number } {
  const channels = axis === null ? 1 : dims[axis];
  const inner = axis === null ? w.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  const channelOf = (i: number) => (axis === null ? 0 : Math.floor(i / inner) % channels);
  for (let i = 0; i < w.length; i++) {
    const c = channelOf(i);
    scales[c] = Math.max(scales[c], Math.abs(w[i]));
  }
  let maxAbs = 0;
  for (let c = 0; c < channels; c++) {
    maxAbs = Math.max(maxAbs, scales[c]);
    // An all-zero channel still needs a positive scale (DequantizeLinear divides by none, but 0 scales are invalid).
    scales[c] = scales[c] > 0 ? Math.fround(scales[c] / 127) : 1;
  }
  const q = new Int8Array(w.length);
  let maxErr = 0;
  for (let i = 0; i < w.length; i++) {
    const s = scales[channelOf(i)];
    const v = Math.max(-127, Math.min(127, Math.round(w[i] / s)));
    q[i] = v;
    maxErr = Math.max(maxErr, Math.abs(w[i] - v * s));
  }
  return { q, scales, maxRelError: maxAbs > 0 ? maxErr / maxAbs : 0 };
}

/** Block size of the 4-bit MatMul weights: 32 values share a scale (the common choice). */
const BLOCK = 32;

/**
 * W [K, N] (MatMul's B) as MatMulNBits wants it: per output column n, K in blocks of 32,
 * symmetric codes q = round(w / s) + 8 in 1..15 with s = max|w| / 7 (zero point: the
 * default 8), two per byte with the earlier value in the low nibble; B is [N, blocks, 16]
 * and scales [N·blocks].
 */
function quantize4Bit(w: Float32Array, k: number, n: number): { packed: Uint8Array; scales: Float32Array; blocks: number; maxRelError: number } {
  const blocks = Math.ceil(k / BLOCK);
  const packed = new Uint8Array(n * blocks * (BLOCK / 2));
  const scales = new Float32Array(n * blocks);
  let maxAbs = 0;
  let maxErr = 0;
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      let m = 0;
      for (let r = b * BLOCK; r < Math.min(k, (b + 1) * BLOCK); r++) m = Math.max(m, Math.abs(w[r * n + col]));
      maxAbs = Math.max(maxAbs, m);
      const scale = m > 0 ? Math.fround(m / 7) : 1;
      scales[col * blocks + b] = scale;
      for (let i = 0; i < BLOCK; i++) {
        const r = b * BLOCK + i;
        const v = r < k ? w[r * n + col] : 0;
        const q = Math.max(-8, Math.min(7, Math.round(v / scale)));
        if (r < k) maxErr = Math.max(maxErr, Math.abs(v - q * scale));
        const at = (col * blocks + b) * (BLOCK / 2) + (i >> 1);
        packed[at] |= (q + 8) << ((i & 1) * 4);
      }
    }
  }
  return { packed, scales, blocks, maxRelError: maxAbs > 0 ? maxErr / maxAbs : 0 };
}

function opsetOf(modelFields: ProtoField[]): number {
  for (const f of modelFields.filter((m) => m.field === 8)) {
    const of = protoFields(f.body!);
    const domain = protoString(of.find((x) => x.field === 1)) ?? '';
    if (domain === '' || domain === 'ai.onnx') return of.find((x) => x.field === 2)?.value ?? 0;
  }
  return 0;
}

export async function quantizeWeightsInt8(model: Uint8Array, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  const minElements = options.minElements ?? 1024;
  const modelFields = protoFields(model);
  const graphField = modelFields.find((f) => f.field === 7 && f.wire === 2);
  if (!graphField) throw new OnnxQuantizeError('not an ONNX model: no graph');
  const opset = opsetOf(modelFields);
  if (opset < 10) throw new OnnxQuantizeError(`opset ${opset} has no DequantizeLinear (needs 10 or later)`);
  const perChannel = opset >= 13;
  const graphFields = protoFields(graphField.body!);

  const consumers = new Map<string, { op: string; index: number; transB: boolean }[]>();
  const nodes = new Map<ProtoField, NodeInfo>();
  for (const f of graphFields.filter((g) => g.field === 1)) {
    const n = readNode(f.body!);
    nodes.set(f, n);
    const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.op}` : n.op;
    n.inputs.forEach((name, index) => consumers.set(name, [...(consumers.get(name) ?? []), { op, index, transB: n.transB }]));
  }
  const tensors = graphFields.filter((g) => g.field === 5).map(readTensor);
  const names = new Set(tensors.map((t) => t.name));
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };

  const replaced = new Map<ProtoField, Uint8Array[]>();
  /** weights turned into MatMulNBits inputs: name → [packed B, scales, K, N] */
  const fourBit = new Map<string, { b: string; scales: string; k: number; n: number }>();
  const dqNodes: Uint8Array[] = [];
  const done: QuantizedTensor[] = [];
  let floatBytes = 0;
  let quantizedBytes = 0;
  for (const t of tensors) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    const uses = consumers.get(t.name) ?? [];
    const eligible = t.dataType === FLOAT && count >= minElements && uses.length > 0 && uses.every((u) => u.index === 1 && WEIGHT_OPS.has(u.op));
    if (!eligible) {
      // Inline what lived in an external file, so the output is one self-contained model.
      if (t.external) replaced.set(t.field, [lengthDelimited(5, concatBytes([...t.keep, lengthDelimited(9, await tensorBytes(t, options.readExternal))]))]);
      continue;
    }
    if (options.matMul4Bit && t.dims.length === 2 && uses.every((u) => u.op === 'MatMul')) {
      const bytes = await tensorBytes(t, options.readExternal);
      if (bytes.length !== count * 4) throw new OnnxQuantizeError(`${t.name}: ${bytes.length} bytes of data for ${count} float32 values`);
      const [k, n] = t.dims;
      const { packed, scales, blocks, maxRelError } = quantize4Bit(new Float32Array(bytes.slice().buffer), k, n);
      const bName = fresh(`${t.name}_q4`);
      const sName = fresh(`${t.name}_scales`);
      replaced.set(t.field, [lengthDelimited(5, tensorProto(bName, [n, blocks, BLOCK / 2], packed)), lengthDelimited(5, tensorProto(sName, [n * blocks], scales))]);
      fourBit.set(t.name, { b: bName, scales: sName, k, n });
      done.push({ name: t.name, dims: t.dims, bits: 4, axis: null, consumer: 'MatMul', maxRelError });
      floatBytes += count * 4;
      quantizedBytes += packed.length + scales.length * 4;
      continue;
    }
    const axes = uses.map((u) => (u.op === 'Conv' ? 0 : u.op === 'Gemm' ? (u.transB ? 0 : 1) : t.dims.length === 2 ? 1 : null));
    const axis = perChannel && axes.every((a) => a !== null && a === axes[0]) ? axes[0] : null;
    const bytes = await tensorBytes(t, options.readExternal);
    if (bytes.length !== count * 4) throw new OnnxQuantizeError(`${t.name}: ${bytes.length} bytes of data for ${count} float32 values`);
    const w = new Float32Array(bytes.slice().buffer);
    const { q, scales, maxRelError } = quantize(w, t.dims, axis);
    const qName = fresh(`${t.name}_int8`);
    const sName = fresh(`${t.name}_scale`);
    replaced.set(t.field, [
      lengthDelimited(5, tensorProto(qName, t.dims, q)),
      lengthDelimited(5, tensorProto(sName, axis === null ? [] : [scales.length], scales)),
    ]);
    dqNodes.push(lengthDelimited(1, nodeProto('DequantizeLinear', [qName, sName], [t.name], axis === null ? {} : { axis })));
    done.push({ name: t.name, dims: t.dims, bits: 8, axis, consumer: [...new Set(uses.map((u) => u.op))].join('+'), maxRelError });
    floatBytes += count * 4;
    quantizedBytes += q.length + scales.length * 4;
  }

  // Old IR versions also list initializers as graph inputs: a replaced one must not stay a required input.
  const quantizedNames = new Set(done.map((d) => d.name));
  const graphParts: Uint8Array[] = [...dqNodes];
  for (const f of graphFields) {
    const node = nodes.get(f);
    const q4 = node && node.op === 'MatMul' && (node.domain === '' || node.domain === 'ai.onnx') ? fourBit.get(node.inputs[1]) : undefined;
    if (node && q4) {
      graphParts.push(lengthDelimited(1, nodeProto('MatMulNBits', [node.inputs[0], q4.b, q4.scales], node.outputs, { K: q4.k, N: q4.n, bits: 4, block_size: BLOCK }, 'com.microsoft')));
    } else if (replaced.has(f)) graphParts.push(...replaced.get(f)!);
    else if (f.field === 11 && quantizedNames.has(protoString(protoFields(f.body!).find((x) => x.field === 1)) ?? '')) continue;
    else graphParts.push(f.raw);
  }
  // MatMulNBits lives in ORT's com.microsoft domain, which the model must import.
  const hasMsDomain = modelFields.some((f) => f.field === 8 && protoString(protoFields(f.body!).find((x) => x.field === 1)) === 'com.microsoft');
  const extraOpsets = fourBit.size && !hasMsDomain ? [lengthDelimited(8, concatBytes([lengthDelimited(1, new TextEncoder().encode('com.microsoft')), Uint8Array.of(16, 1)]))] : [];
  return { model: assemble(modelFields, graphField, graphParts, extraOpsets), tensors: done, floatBytes, quantizedBytes };
}

// The model with its graph replaced, written into one allocation: for an SD UNet the parts
// are most of a gigabyte, and concatenating twice (graph, then model) would double that.
function assemble(modelFields: ProtoField[], graphField: ProtoField, graphParts: Uint8Array[], extra: Uint8Array[]): Uint8Array {
  const graphLength = graphParts.reduce((s, p) => s + p.length, 0);
  const header = lengthDelimited(7, new Uint8Array(0)).subarray(0, 1); // the tag byte of field 7
  const lengthVarint: number[] = [];
  for (let v = graphLength; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      lengthVarint.push(v);
      break;
    }
    lengthVarint.push((v % 128) | 128);
  }
  const pieces = [...modelFields.flatMap((f) => (f === graphField ? [header, Uint8Array.from(lengthVarint), ...graphParts] : [f.raw])), ...extra];
  const total = pieces.reduce((s, p) => s + p.length, 0);
  if (total > 2 ** 31 - 1) throw new OnnxQuantizeError(`the quantized model would be ${total} bytes, above the 2 GB a single ONNX protobuf can hold`);
  return concatBytes(pieces);
}
