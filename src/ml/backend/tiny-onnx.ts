// Builds a small ONNX model in memory (Conv → Relu → GlobalAveragePool → Flatten → Gemm →
// Sigmoid) so the app can check an execution provider against another on the user's own
// GPU without downloading anything. Hand-written protobuf: the ONNX schema field numbers
// come from onnx/onnx.proto3 (ModelProto, GraphProto, NodeProto, TensorProto, …).
import { createRng } from '../../core/random';

class ProtoWriter {
  private bytes: number[] = [];
  varint(field: number, value: number): this {
    this.tag(field, 0);
    this.rawVarint(value);
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
    for (const b of data) this.bytes.push(b);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
  private tag(field: number, wire: number) {
    this.rawVarint(field * 8 + wire);
  }
  private rawVarint(v: number) {
    let x = v;
    while (x > 127) {
      this.bytes.push((x & 127) | 128);
      x = Math.floor(x / 128);
    }
    this.bytes.push(x);
  }
}

const FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

function tensor(name: string, dims: number[], values: Float32Array): ProtoWriter {
  const t = new ProtoWriter();
  for (const d of dims) t.varint(1, d);
  t.varint(2, FLOAT);
  t.string(8, name);
  t.bytesField(9, new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
  return t;
}

function valueInfo(name: string, dims: number[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, new ProtoWriter().varint(1, d));
  const tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

function node(op: string, inputs: string[], outputs: string[], attrs: ProtoWriter[] = []): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${op}_${outputs[0]}`);
  n.string(4, op);
  for (const a of attrs) n.message(5, a);
  return n;
}

const intsAttr = (name: string, values: number[]) => {
  const a = new ProtoWriter().string(1, name);
  for (const v of values) a.varint(8, v);
  return a.varint(20, ATTR_INTS);
};
const intAttr = (name: string, v: number) => new ProtoWriter().string(1, name).varint(3, v).varint(20, ATTR_INT);

export interface TinyOnnxModel {
  bytes: Uint8Array;
  inputName: string;
  inputShape: [number, number, number, number];
  outputName: string;
}

export function buildTinyOnnxModel(seed = 1): TinyOnnxModel {
  const rng = createRng(seed);
  const randn = (n: number, s: number) => Float32Array.from({ length: n }, () => rng.normal() * s);
  const inputShape: [number, number, number, number] = [2, 3, 16, 16];
  const graph = new ProtoWriter()
    .message(1, node('Conv', ['x', 'conv_w', 'conv_b'], ['c'], [intsAttr('kernel_shape', [3, 3]), intsAttr('pads', [1, 1, 1, 1])]))
    .message(1, node('Relu', ['c'], ['r']))
    .message(1, node('GlobalAveragePool', ['r'], ['g']))
    .message(1, node('Flatten', ['g'], ['f'], [intAttr('axis', 1)]))
    .message(1, node('Gemm', ['f', 'fc_w', 'fc_b'], ['z'], [intAttr('transB', 1)]))
    .message(1, node('Sigmoid', ['z'], ['y']))
    .string(2, 'tiny_self_check')
    .message(5, tensor('conv_w', [8, 3, 3, 3], randn(8 * 27, 0.4)))
    .message(5, tensor('conv_b', [8], randn(8, 0.1)))
    .message(5, tensor('fc_w', [2, 8], randn(16, 0.5)))
    .message(5, tensor('fc_b', [2], randn(2, 0.1)))
    .message(11, valueInfo('x', inputShape))
    .message(12, valueInfo('y', [2, 2]));
  const model = new ProtoWriter()
    .varint(1, 8) // ir_version 8 (ONNX 1.13+)
    .string(2, 'cxr-ldm-augment')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').varint(2, 17));
  return { bytes: model.finish(), inputName: 'x', inputShape, outputName: 'y' };
}
