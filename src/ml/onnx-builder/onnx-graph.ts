// Builds ONNX models in memory: the accelerator self-check model and the built-in demo
// diffusion pipeline are generated here rather than downloaded. Hand-written protobuf —
// field numbers from onnx/onnx.proto3 (ModelProto, GraphProto, NodeProto, TensorProto,
// AttributeProto, ValueInfoProto) — because a protobuf library would be a dependency for
// a few hundred bytes of encoder.

class ProtoWriter {
  private parts: Uint8Array[] = [];
  private pending: number[] = [];
  private flush() {
    if (this.pending.length) {
      this.parts.push(Uint8Array.from(this.pending));
      this.pending = [];
    }
  }
  varint(field: number, value: number): this {
    this.tag(field, 0);
    this.rawVarint(value);
    return this;
  }
  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.pending.push(...b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field: number, m: ProtoWriter): this {
    return this.bytesField(field, m.finish());
  }
  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(data.length);
    this.flush();
    // large initializers are kept as views, not spread into a number array
    this.parts.push(data);
    return this;
  }
  finish(): Uint8Array {
    this.flush();
    const n = this.parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  private tag(field: number, wire: number) {
    this.rawVarint(field * 8 + wire);
  }
  private rawVarint(v: number) {
    if (v < 0) throw new RangeError('negative varints are not used here');
    let x = v;
    while (x > 127) {
      this.pending.push((x & 127) | 128);
      x = Math.floor(x / 128);
    }
    this.pending.push(x);
  }
}

/** TensorProto.DataType values used by the builders. */
export const OnnxType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 } as const;
export type OnnxElemType = (typeof OnnxType)[keyof typeof OnnxType];

export type AttrValue = number | number[] | string | { float: number };

/** A dimension: a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;

function attribute(name: string, value: AttrValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof value === 'string') return a.string(4, value).varint(20, 3);
  if (Array.isArray(value)) {
    for (const v of value) a.varint(8, v);
    return a.varint(20, 7);
  }
  if (typeof value === 'object') return a.float(2, value.float).varint(20, 1);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`attribute ${name}: only non-negative integer ints are encoded (${value})`);
  return a.varint(3, value).varint(20, 2);
}

function valueInfo(name: string, type: OnnxElemType, dims: readonly Dim[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().varint(1, type).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

export type TensorValues = Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array;

function rawBytes(values: TensorValues): Uint8Array {
  // ONNX raw_data is little-endian, as typed arrays are on every platform browsers run on.
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function elemTypeOf(values: TensorValues): OnnxElemType {
  if (values instanceof Float32Array) return OnnxType.float;
  if (values instanceof Int32Array) return OnnxType.int32;
  if (values instanceof BigInt64Array) return OnnxType.int64;
  return values instanceof Int8Array ? OnnxType.int8 : OnnxType.uint8;
}

/** A serialised TensorProto with its data inline (raw_data). */
export function tensorProto(name: string, dims: readonly number[], values: TensorValues): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new RangeError(`${name}: ${values.length} values for dims [${dims.join(', ')}]`);
  const t = new ProtoWriter();
  for (const d of dims) t.varint(1, d);
  return t.varint(2, elemTypeOf(values)).string(8, name).bytesField(9, rawBytes(values)).finish();
}

/** A serialised NodeProto; `domain` for contrib operators (com.microsoft). */
export function nodeProto(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}, domain?: string): Uint8Array {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${op}_${outputs[0]}`).string(4, op);
  for (const [k, v] of Object.entries(attrs)) n.message(5, attribute(k, v));
  if (domain) n.string(7, domain);
  return n.finish();
}

/** One length-delimited protobuf field (tag + length + bytes). */
export function lengthDelimited(field: number, body: Uint8Array): Uint8Array {
  return new ProtoWriter().bytesField(field, body).finish();
}

/**
 * A graph under construction. `node` returns the output name so graphs read as
 * expressions; constants become initializers.
 */
export class OnnxGraph {
  private readonly nodes: Uint8Array[] = [];
  private readonly initializers: Uint8Array[] = [];
  private readonly inputs: ProtoWriter[] = [];
  private readonly outputs: ProtoWriter[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, type: OnnxElemType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: OnnxElemType, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** An initializer; `name` defaults to a fresh one. */
  tensor(values: TensorValues, dims: readonly number[], name = this.fresh('const')): string {
    this.initializers.push(tensorProto(name, dims, values));
    return name;
  }

  /** float32 constant; a bare number is a scalar. */
  f32(values: number | readonly number[], dims?: readonly number[]): string {
    const arr = typeof values === 'number' ? [values] : values;
    return this.tensor(Float32Array.from(arr), dims ?? (typeof values === 'number' ? [] : [arr.length]));
  }

  /** int64 constant (shapes, axes, indices). */
  i64(values: number | readonly number[], dims?: readonly number[]): string {
    const arr = typeof values === 'number' ? [values] : values;
    return this.tensor(BigInt64Array.from(arr.map(BigInt)), dims ?? (typeof values === 'number' ? [] : [arr.length]));
  }

  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output = this.fresh(op.toLowerCase())): string {
    this.nodes.push(nodeProto(op, inputs, [output], attrs));
    return output;
  }

  /** Serialised ModelProto (ir_version 8, default domain at `opset`). */
  toModel(opset = 17, producer = 'cxr-ldm-augment'): Uint8Array {
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.bytesField(1, n);
    graph.string(2, this.name);
    for (const t of this.initializers) graph.bytesField(5, t);
    for (const i of this.inputs) graph.message(11, i);
    for (const o of this.outputs) graph.message(12, o);
    return new ProtoWriter()
      .varint(1, 8)
      .string(2, producer)
      .message(7, graph)
      .message(8, new ProtoWriter().string(1, '').varint(2, opset))
      .finish();
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }
}
