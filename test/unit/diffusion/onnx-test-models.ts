// Small hand-written ONNX protobuf edits for tests (field numbers from onnx/onnx.proto3):
// move a model's initializers into an external-data file as exporters do for >2 GB
// models, and build a tiny float16 graph. Used by the Node scanner tests and the browser
// runtime tests (which serve the results same-origin).
import { concatBytes as concat, protoFields as fields } from '../../../src/ml/onnx-builder/proto-fields';
import { OnnxGraph, OnnxType } from '../../../src/ml/onnx-builder/onnx-graph';

function varint(v: number): number[] {
  const out: number[] = [];
  while (v > 127) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const ld = (field: number, body: Uint8Array) => concat([Uint8Array.from(varint(field * 8 + 2)), Uint8Array.from(varint(body.length)), body]);
const vi = (field: number, v: number) => Uint8Array.from([...varint(field * 8), ...varint(v)]);
const str = (field: number, s: string) => ld(field, new TextEncoder().encode(s));
const entry = (key: string, value: string) => ld(13, concat([str(1, key), str(2, value)]));

/** Moves every initializer's raw_data into one external file named `location`. */
export function externalizeInitializers(model: Uint8Array, location: string): { model: Uint8Array; data: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const rewriteTensor = (tensor: Uint8Array): Uint8Array => {
    const fs = fields(tensor);
    const raw = fs.find((f) => f.field === 9 && f.wire === 2);
    if (!raw?.body?.length) return tensor;
    const kept = fs.filter((f) => f !== raw).map((f) => f.raw);
    const out = concat([...kept, entry('location', location), entry('offset', String(offset)), entry('length', String(raw.body.length)), vi(14, 1)]);
    chunks.push(raw.body.slice());
    offset += raw.body.length;
    return out;
  };
  const rewriteGraph = (graph: Uint8Array) =>
    concat(fields(graph).map((f) => (f.field === 5 && f.wire === 2 ? ld(5, rewriteTensor(f.body!)) : f.raw)));
  const out = concat(fields(model).map((f) => (f.field === 7 && f.wire === 2 ? ld(7, rewriteGraph(f.body!)) : f.raw)));
  return { model: out, data: concat(chunks) };
}

const FLOAT16 = 10;

function valueInfo(name: string, elemType: number, dims: number[]): Uint8Array {
  const shape = concat(dims.map((d) => ld(1, vi(1, d))));
  const tensorType = concat([vi(1, elemType), ld(2, shape)]);
  return concat([str(1, name), ld(2, ld(1, tensorType))]);
}

/** A float16 graph with UNet-like IO names: out_sample = sample + bias (one fp16 initializer). */
export function float16UnetLikeModel(): Uint8Array {
  const dims = [1, 4, 8, 8];
  const bias = concat([vi(2, FLOAT16), str(8, 'bias'), ld(9, new Uint8Array(2))]);
  const node = concat([str(1, 'sample'), str(1, 'bias'), str(2, 'out_sample'), str(3, 'add'), str(4, 'Add')]);
  const graph = concat([
    ld(1, node),
    str(2, 'fp16'),
    ld(5, bias),
    ld(11, valueInfo('sample', FLOAT16, dims)),
    ld(12, valueInfo('out_sample', FLOAT16, dims)),
  ]);
  return concat([vi(1, 8), ld(8, concat([str(1, ''), vi(2, 17)])), ld(7, graph)]);
}

/**
 * A stand-in VAE pair for substitute-VAE tests: encoder = 2×2 average pool (+ a 4th mean
 * channel), decoder = nearest ×2 upsampling of the first 3 channels. With `unitRange` the
 * encoder clamps at 0 (ReLU), like a model trained on [0, 1] images: fed [−1, 1] it loses
 * the negative half. Latents come out unscaled-free (TAESD-like: no config.json).
 */
export function testVaePair(unitRange: boolean): { encoder: Uint8Array; decoder: Uint8Array } {
  const e = new OnnxGraph('test_vae_encoder');
  const x = e.input('sample', OnnxType.float, [1, 3, 'height', 'width']);
  let pooled = e.node('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
  if (unitRange) pooled = e.node('Relu', [pooled]);
  const mean = e.node('ReduceMean', [pooled], { axes: [1], keepdims: 1 });
  e.node('Concat', [pooled, mean], { axis: 1 }, 'latent_sample');
  e.output('latent_sample', OnnxType.float, [1, 4, 'h', 'w']);

  const d = new OnnxGraph('test_vae_decoder');
  const z = d.input('latent_sample', OnnxType.float, [1, 4, 'h', 'w']);
  const rgb = d.node('Slice', [z, d.i64([0]), d.i64([3]), d.i64([1])]);
  d.node('Resize', [rgb, '', d.f32([1, 1, 2, 2])], { mode: 'nearest' }, 'sample');
  d.output('sample', OnnxType.float, [1, 3, 'height', 'width']);
  return { encoder: e.toModel(17), decoder: d.toModel(17) };
}

/**
 * A guidance-distilled (LCM-like) UNet with optimum's IO names, timestep_cond included:
 * out_sample = 0.1·sample + mean(timestep_cond), so a test can read back what was fed.
 * `condWidth` 'dynamic' leaves the embedding width undeclared (then unet/config.json
 * must give time_cond_proj_dim).
 */
export function guidanceDistilledUnetModel(condWidth: number | 'dynamic', condType: 'float' | 'int64' = 'float'): Uint8Array {
  const g = new OnnxGraph('lcm_like_unet');
  const sample = g.input('sample', OnnxType.float, ['batch', 4, 'height', 'width']);
  g.input('timestep', OnnxType.int64, [1]);
  g.input('encoder_hidden_states', OnnxType.float, ['batch', 'sequence', 32]);
  const cond = g.input('timestep_cond', condType === 'float' ? OnnxType.float : OnnxType.int64, ['batch', condWidth === 'dynamic' ? 'cond_dim' : condWidth]);
  const condF = condType === 'float' ? cond : g.node('Cast', [cond], { to: OnnxType.float });
  const mean = g.node('ReduceMean', [condF], { axes: [1], keepdims: 1 });
  const bias = g.node('Unsqueeze', [mean, g.i64([2, 3])]);
  g.node('Add', [g.node('Mul', [sample, g.f32(0.1)]), bias], {}, 'out_sample');
  g.output('out_sample', OnnxType.float, ['batch', 4, 'height', 'width']);
  return g.toModel();
}
