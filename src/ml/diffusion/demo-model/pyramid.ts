// Laplacian pyramid of one [h, w] plane with exactly the operations the demo UNet graph
// uses — AveragePool 2×2/2 down, ONNX Resize linear (half_pixel, edge-clamped) ×2 up — so
// band statistics measured here describe the bands the graph shrinks.

export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
}

export function downsample(p: Plane): Plane {
  const width = p.width >> 1;
  const height = p.height >> 1;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 2 * y * p.width + 2 * x;
      data[y * width + x] = (p.data[i] + p.data[i + 1] + p.data[i + p.width] + p.data[i + p.width + 1]) / 4;
    }
  }
  return { data, width, height };
}

// Output index i reads source coordinate (i + 0.5)/2 − 0.5, clamped to the edge.
function upAxisWeights(n: number): { lo: Int32Array; hi: Int32Array; f: Float32Array } {
  const lo = new Int32Array(2 * n);
  const hi = new Int32Array(2 * n);
  const f = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) {
    const s = Math.min(n - 1, Math.max(0, (i + 0.5) / 2 - 0.5));
    lo[i] = Math.floor(s);
    hi[i] = Math.min(n - 1, lo[i] + 1);
    f[i] = s - lo[i];
  }
  return { lo, hi, f };
}

export function upsample(p: Plane): Plane {
  const width = p.width * 2;
  const height = p.height * 2;
  const wx = upAxisWeights(p.width);
  const wy = upAxisWeights(p.height);
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = wy.lo[y] * p.width;
    const r1 = wy.hi[y] * p.width;
    const fy = wy.f[y];
    for (let x = 0; x < width; x++) {
      const a = p.data[r0 + wx.lo[x]] * (1 - wx.f[x]) + p.data[r0 + wx.hi[x]] * wx.f[x];
      const b = p.data[r1 + wx.lo[x]] * (1 - wx.f[x]) + p.data[r1 + wx.hi[x]] * wx.f[x];
      data[y * width + x] = a * (1 - fy) + b * fy;
    }
  }
  return { data, width, height };
}

/** Bands L_0..L_{levels−1} (finest first) and the low-pass residual, levels+1 planes. */
export function laplacianBands(p: Plane, levels: number): Plane[] {
  const bands: Plane[] = [];
  let g = p;
  for (let k = 0; k < levels; k++) {
    const down = downsample(g);
    const up = upsample(down);
    bands.push({ data: g.data.map((v, i) => v - up.data[i]), width: g.width, height: g.height });
    g = down;
  }
  bands.push(g);
  return bands;
}

export function meanSquare(p: Plane): number {
  let s = 0;
  for (const v of p.data) s += v * v;
  return s / p.data.length;
}
