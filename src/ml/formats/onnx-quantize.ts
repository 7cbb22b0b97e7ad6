// Weight-only int8 quantization of an ONNX model, the QDQ way: each large float32 weight
// of a Conv, MatMul or Gemm becomes an int8 initializer plus a per-output-channel scale, and
// a DequantizeLinear node recreates the float weight under its old name, so the rest of the
// graph is untouched. ORT's WebGPU EP runs DequantizeLinear (it has no QLinearConv /
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
  /** reads `length` bytes at `offset` of an external data file next to the model */
  readExternal?: ExternalDataReader;
}

export interface QuantizedTensor {
  name: string;
  dims: number[];
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
  for (const f of graphFields.filter((g) => g.field === 1)) {
    const n = readNode(f.body!);
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
    done.push({ name: t.name, dims: t.dims, axis, consumer: [...new Set(uses.map((u) => u.op))].join('+'), maxRelError });
    floatBytes += count * 4;
    quantizedBytes += q.length + scales.length * 4;
  }

  // Old IR versions also list initializers as graph inputs: a replaced one must not stay a required input.
  const quantizedNames = new Set(done.map((d) => d.name));
  const graphParts: Uint8Array[] = [...dqNodes];
  for (const f of graphFields) {
    if (replaced.has(f)) graphParts.push(...replaced.get(f)!);
    else if (f.field === 11 && quantizedNames.has(protoString(protoFields(f.body!).find((x) => x.field === 1)) ?? '')) continue;
    else graphParts.push(f.raw);
  }
  return { model: assemble(modelFields, graphField, graphParts), tensors: done, floatBytes, quantizedBytes };
}

// The model with its graph replaced, written into one allocation: for an SD UNet the parts
// are most of a gigabyte, and concatenating twice (graph, then model) would double that.
function assemble(modelFields: ProtoField[], graphField: ProtoField, graphParts: Uint8Array[]): Uint8Array {
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
  const pieces = modelFields.flatMap((f) => (f === graphField ? [header, Uint8Array.from(lengthVarint), ...graphParts] : [f.raw]));
  const total = pieces.reduce((s, p) => s + p.length, 0);
  if (total > 2 ** 31 - 1) throw new OnnxQuantizeError(`the quantized model would be ${total} bytes, above the 2 GB a single ONNX protobuf can hold`);
  return concatBytes(pieces);
}
