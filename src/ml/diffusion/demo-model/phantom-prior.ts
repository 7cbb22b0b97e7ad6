// The statistics the demo denoiser is built from, measured on the demo phantoms
// (core/demo): mean normal image, mean positive − mean normal, and the variance of each
// Laplacian band of a normal image around the mean, plus the share of unit white noise
// that falls in each band. Deterministic: fixed seeds, so every browser builds the same
// model bytes.
import { generatePhantom } from '../../../core/demo/chest-phantom';
import { createRng, deriveSeed } from '../../../core/random';
import { laplacianBands, meanSquare, type Plane } from './pyramid';

export interface PhantomPrior {
  size: number;
  levels: number;
  /** mean normal phantom in [−1, 1], size × size */
  meanNormal: Float32Array;
  /** mean positive − mean normal */
  findingShift: Float32Array;
  /** per-pixel variance of each band of (normal − mean), finest first, then the low-pass */
  bandVariance: Float64Array;
  /** variance of each band of unit white noise (same order) */
  noiseShare: Float64Array;
  samples: number;
}

export interface PhantomPriorOptions {
  size: number;
  /** phantoms per class */
  samples?: number;
  /** pyramid levels; the low-pass is size / 2^levels wide */
  levels?: number;
  seed?: number;
}

const toSigned = (pixels: Uint8Array) => Float32Array.from(pixels, (v) => (v / 255) * 2 - 1);

export function measurePhantomPrior(options: PhantomPriorOptions): PhantomPrior {
  const { size } = options;
  const samples = options.samples ?? 24;
  const levels = options.levels ?? Math.max(1, Math.log2(size) - 3);
  const seed = options.seed ?? 20241203;
  if (!Number.isInteger(Math.log2(size)) || size >> levels < 1) throw new RangeError(`demo prior needs a power-of-two size with ${levels} levels, got ${size}`);
  const plane = size * size;
  const normals: Float32Array[] = [];
  const meanNormal = new Float32Array(plane);
  const meanPositive = new Float32Array(plane);
  for (let i = 0; i < samples; i++) {
    const n = toSigned(generatePhantom({ size, seed: deriveSeed(seed, i), positive: false }).pixels);
    // Same seed, same anatomy: the mean difference is then the opacities alone, not anatomy
    // sampling noise (which guidance would amplify into rib-like artefacts).
    const p = toSigned(generatePhantom({ size, seed: deriveSeed(seed, i), positive: true }).pixels);
    normals.push(n);
    for (let j = 0; j < plane; j++) {
      meanNormal[j] += n[j] / samples;
      meanPositive[j] += p[j] / samples;
    }
  }
  const bandVariance = new Float64Array(levels + 1);
  for (const n of normals) {
    const bands = laplacianBands({ data: n.map((v, j) => v - meanNormal[j]), width: size, height: size }, levels);
    bands.forEach((b, k) => (bandVariance[k] += meanSquare(b) / samples));
  }
  const noiseShare = new Float64Array(levels + 1);
  const rng = createRng(seed);
  const noiseImages = 4;
  for (let i = 0; i < noiseImages; i++) {
    const noise: Plane = { data: Float32Array.from({ length: plane }, () => rng.normal()), width: size, height: size };
    laplacianBands(noise, levels).forEach((b, k) => (noiseShare[k] += meanSquare(b) / noiseImages));
  }
  return { size, levels, meanNormal, findingShift: meanPositive.map((v, j) => v - meanNormal[j]), bandVariance, noiseShare, samples };
}
