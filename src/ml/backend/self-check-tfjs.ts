// A tiny conv net trained a few SGD steps from seeded weights and data: run on the active
// backend and on cpu, the losses and final weights must agree. It proves that this GPU
// computes gradients correctly before any real training is trusted to it.
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../core/random';

export interface TinyTrainResult {
  backend: string;
  losses: number[];
  /** all trained parameters, flattened in a fixed order */
  weights: Float32Array;
}

export interface TinyTrainOptions {
  steps: number;
  seed: number;
  /** called after each step; throwing from it (cancellation) stops training */
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

export async function trainTinyConvNet(backend: string, opts: TinyTrainOptions): Promise<TinyTrainResult> {
  const previous = tf.getBackend();
  if (backend !== previous) await tf.setBackend(backend);
  const rng = createRng(opts.seed);
  const rand = (shape: number[], scale: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
    return tf.tensor(v, shape);
  };
  const w1 = tf.variable(rand([3, 3, 1, 4], 0.3)) as tf.Variable<tf.Rank.R4>;
  const b1 = tf.variable(tf.zeros([4]));
  const w2 = tf.variable(rand([3, 3, 4, 8], 0.2)) as tf.Variable<tf.Rank.R4>;
  const wd = tf.variable(rand([8, 1], 0.3)) as tf.Variable<tf.Rank.R2>;
  const x = rand([8, 12, 12, 1], 1) as tf.Tensor4D;
  const y = tf.tensor2d(Array.from({ length: 8 }, (_, i) => [i % 2]), [8, 1]);
  const optimizer = tf.train.sgd(0.1);
  const losses: number[] = [];
  try {
    for (let step = 0; step < opts.steps; step++) {
      const loss = optimizer.minimize(() => {
        const h1 = tf.relu(tf.add(tf.conv2d(x, w1, 1, 'same'), b1));
        const p1 = tf.maxPool(h1 as tf.Tensor4D, 2, 2, 'valid');
        const h2 = tf.relu(tf.conv2d(p1, w2, 1, 'same'));
        const pooled = tf.mean(h2, [1, 2]) as tf.Tensor2D;
        const logits = tf.matMul(pooled, wd);
        return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
      }, true) as tf.Scalar;
      const value = (await loss.data())[0];
      loss.dispose();
      losses.push(value);
      await opts.onStep?.(step, value);
    }
    const parts = await Promise.all([w1, b1, w2, wd].map((v) => v.data() as Promise<Float32Array>));
    const weights = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      weights.set(p, o);
      o += p.length;
    }
    return { backend, losses, weights };
  } finally {
    tf.dispose([w1, b1, w2, wd, x, y]);
    optimizer.dispose();
    if (backend !== previous && previous) await tf.setBackend(previous);
  }
}
