// Builds a small ONNX model in memory (Conv → Relu → GlobalAveragePool → Flatten → Gemm →
// Sigmoid) so the app can check an execution provider against another on the user's own
// GPU without downloading anything.
import { createRng } from '../../core/random';
import { OnnxGraph, OnnxType } from '../onnx-builder/onnx-graph';

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
  const g = new OnnxGraph('tiny_self_check');
  const x = g.input('x', OnnxType.float, inputShape);
  const convW = g.tensor(randn(8 * 27, 0.4), [8, 3, 3, 3], 'conv_w');
  const convB = g.tensor(randn(8, 0.1), [8], 'conv_b');
  const fcW = g.tensor(randn(16, 0.5), [2, 8], 'fc_w');
  const fcB = g.tensor(randn(2, 0.1), [2], 'fc_b');
  const c = g.node('Conv', [x, convW, convB], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const pooled = g.node('GlobalAveragePool', [g.node('Relu', [c])]);
  const z = g.node('Gemm', [g.node('Flatten', [pooled], { axis: 1 }), fcW, fcB], { transB: 1 });
  g.node('Sigmoid', [z], {}, 'y');
  g.output('y', OnnxType.float, [2, 2]);
  return { bytes: g.toModel(17), inputName: 'x', inputShape, outputName: 'y' };
}
