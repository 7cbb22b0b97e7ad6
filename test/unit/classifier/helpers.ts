// Shared test helpers: fixture paths (never copied into the repo) and error measures.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
/** ../shared relative to the repository root. */
export const sharedDir = resolve(repoRoot, '../shared');
export const inceptionFixtureDir = resolve(sharedDir, 'fixtures/inception-v3');
export const kermanyDir = resolve(sharedDir, 'data/kermany-subset');

export function readFloat32File(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** max|a−b| / max(max|ref|, 1e-6), the fixtures README's criterion. */
export function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length !== reference.length) throw new Error(`length ${actual.length} vs ${reference.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - reference[i]));
    maxRef = Math.max(maxRef, Math.abs(reference[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-6);
}

export function argmaxRows(values: ArrayLike<number>, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length / cols; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

import * as tf from '@tensorflow/tfjs';

/** Gives every variable deterministic non-trivial values (BN variances positive), so round trips are meaningful. */
export function randomizeWeights(model: tf.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const positive = v.originalName.endsWith('moving_variance') || v.originalName.endsWith('gamma');
      const t = positive ? tf.randomUniform(v.shape as number[], 0.5, 1.5, 'float32', s++) : tf.randomUniform(v.shape as number[], -0.2, 0.2, 'float32', s++);
      v.write(t);
      t.dispose();
    }
  }
}

/** Our variable name → values. */
export function weightValues(model: tf.LayersModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const layer of model.layers) for (const v of layer.weights) out.set(v.originalName, v.read().dataSync() as Float32Array);
  return out;
}
