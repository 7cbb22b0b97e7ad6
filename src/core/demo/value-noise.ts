// Smooth seeded 2-D value noise (a lattice of random values, smoothstep-interpolated),
// summed over octaves: cheap mottle for film texture and patchy opacities.
import type { Rng } from '../random';

export interface NoiseField {
  /** value in about [-1, 1] at normalised coordinates u, v in [0, 1] */
  at(u: number, v: number): number;
}

function lattice(rng: Rng, cells: number): { cells: number; values: Float32Array } {
  const n = cells + 2;
  const values = new Float32Array(n * n);
  for (let i = 0; i < values.length; i++) values[i] = rng.next() * 2 - 1;
  return { cells, values };
}

const smooth = (t: number) => t * t * (3 - 2 * t);

export function valueNoise(rng: Rng, baseCells: number, octaves: number): NoiseField {
  const layers = Array.from({ length: octaves }, (_, o) => lattice(rng, baseCells << o));
  let norm = 0;
  for (let o = 0; o < octaves; o++) norm += 0.5 ** o;
  return {
    at(u, v) {
      let sum = 0;
      for (let o = 0; o < layers.length; o++) {
        const { cells, values } = layers[o];
        const n = cells + 2;
        const x = Math.min(Math.max(u, 0), 1) * cells;
        const y = Math.min(Math.max(v, 0), 1) * cells;
        const xi = Math.floor(x), yi = Math.floor(y);
        const fx = smooth(x - xi), fy = smooth(y - yi);
        const i = yi * n + xi;
        const top = values[i] + (values[i + 1] - values[i]) * fx;
        const bottom = values[i + n] + (values[i + n + 1] - values[i + n]) * fx;
        sum += (top + (bottom - top) * fy) * 0.5 ** o;
      }
      return sum / norm;
    },
  };
}

/**
 * The field sampled once on a (cells+1)² grid and bilinearly interpolated: a few times
 * cheaper per pixel, and indistinguishable when the grid is finer than the finest octave.
 */
export function rasterise(field: NoiseField, cells: number): NoiseField {
  const n = cells + 1;
  const grid = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) grid[j * n + i] = field.at(i / cells, j / cells);
  return {
    at(u, v) {
      const x = Math.min(Math.max(u, 0), 1) * cells;
      const y = Math.min(Math.max(v, 0), 1) * cells;
      const xi = Math.min(cells - 1, Math.floor(x)), yi = Math.min(cells - 1, Math.floor(y));
      const fx = x - xi, fy = y - yi;
      const k = yi * n + xi;
      const top = grid[k] + (grid[k + 1] - grid[k]) * fx;
      const bottom = grid[k + n] + (grid[k + n + 1] - grid[k + n]) * fx;
      return top + (bottom - top) * fy;
    },
  };
}
