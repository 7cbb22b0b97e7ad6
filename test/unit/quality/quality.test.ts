import { describe, expect, it } from 'vitest';
import { featureSet, frechetInceptionDistance, kernelInceptionDistance, memorisationCheck, meanPairwiseDistance, symmetricEigenvalues } from '../../../src/core/quality';
import { createRng } from '../../../src/core/random';

// Independent float64 reference: cyclic Jacobi eigen-decomposition (a different algorithm
// from the Householder/QL code under test), used to form Σ₁^½ and then Tr((Σ₁^½Σ₂Σ₁^½)^½).
function jacobiEigen(input: number[][]): { values: number[]; vectors: number[][] } {
  const n = input.length;
  const a = input.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: a.map((r, i) => r[i]), vectors: v };
}

const matmul = (a: number[][], b: number[][]) => a.map((r) => b[0].map((_, j) => r.reduce((s, x, k) => s + x * b[k][j], 0)));

function referenceFid(x: number[][], y: number[][]): number {
  const d = x[0].length;
  const mean = (m: number[][]) => Array.from({ length: d }, (_, j) => m.reduce((s, r) => s + r[j], 0) / m.length);
  const cov = (m: number[][], mu: number[]) =>
    Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => m.reduce((s, r) => s + (r[i] - mu[i]) * (r[j] - mu[j]), 0) / (m.length - 1)));
  const m1 = mean(x), m2 = mean(y);
  const c1 = cov(x, m1), c2 = cov(y, m2);
  const e1 = jacobiEigen(c1);
  const sqrtC1 = matmul(matmul(e1.vectors, e1.values.map((l, i) => e1.values.map((_, j) => (i === j ? Math.sqrt(Math.max(l, 0)) : 0)))), e1.vectors[0].map((_, i) => e1.vectors.map((r) => r[i])));
  const inner = matmul(matmul(sqrtC1, c2), sqrtC1);
  const tr = jacobiEigen(inner).values.reduce((s, l) => s + Math.sqrt(Math.max(l, 0)), 0);
  const meanTerm = m1.reduce((s, v, i) => s + (v - m2[i]) ** 2, 0);
  const trace = (c: number[][]) => c.reduce((s, r, i) => s + r[i], 0);
  return meanTerm + trace(c1) + trace(c2) - 2 * tr;
}

function randomSet(n: number, d: number, seed: number, scale = 1, shift = 0): number[][] {
  const rng = createRng(seed);
  // correlated features: mix independent normals through a fixed random matrix
  const mix = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal() * 0.5));
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: d }, () => rng.normal());
    return mix.map((row) => shift + scale * row.reduce((s, w, k) => s + w * z[k], 0));
  });
}

const flat = (m: number[][]) => featureSet(Float32Array.from(m.flat()), m[0].length);

describe('symmetric eigenvalues', () => {
  it('matches a hand example and the Jacobi reference', () => {
    // [[2,1],[1,2]] has eigenvalues 1 and 3
    expect([...symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2)]).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
    const m = randomSet(8, 8, 3);
    const sym = m.map((r, i) => r.map((_, j) => m[i][j] + m[j][i]));
    const ours = [...symmetricEigenvalues(Float64Array.from(sym.flat()), 8)];
    const ref = jacobiEigen(sym).values.sort((a, b) => a - b);
    ours.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 9));
  });
});

describe('FID', () => {
  it('is ≈ 0 for a set against itself', () => {
    const x = randomSet(30, 6, 1);
    expect(frechetInceptionDistance(flat(x), flat(x)).fid).toBeLessThan(1e-9);
    const wide = randomSet(12, 40, 2); // fewer images than features: the sample-space path
    expect(frechetInceptionDistance(flat(wide), flat(wide)).fid).toBeLessThan(1e-8);
  });

  it('matches the float64 reference on different sets, in both code paths', () => {
    for (const [n1, n2, d] of [[40, 35, 6], [10, 14, 25]]) {
      const x = randomSet(n1, d, 11);
      const y = randomSet(n2, d, 12, 1.3, 0.2);
      const ref = referenceFid(x, y);
      const ours = frechetInceptionDistance(flat(x), flat(y)).fid;
      expect(ref).toBeGreaterThan(0.1);
      expect(Math.abs(ours - ref) / ref).toBeLessThan(1e-4); // float32 inputs
    }
  });

  it('gives the closed forms for a shifted and a scaled copy', () => {
    const x = randomSet(50, 5, 4);
    const shift = [0.5, -1, 2, 0, 0.25];
    const shifted = x.map((r) => r.map((v, j) => v + shift[j]));
    expect(frechetInceptionDistance(flat(x), flat(shifted)).fid).toBeCloseTo(shift.reduce((s, v) => s + v * v, 0), 4);
    // X' = μ + s(X − μ): Σ' = s²Σ, so FID = (1 − s)²·Tr(Σ)
    const mu = x[0].map((_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
    const s = 1.5;
    const scaled = x.map((r) => r.map((v, j) => mu[j] + s * (v - mu[j])));
    const trace = mu.reduce((acc, m, j) => acc + x.reduce((t, r) => t + (r[j] - m) ** 2, 0) / (x.length - 1), 0);
    expect(frechetInceptionDistance(flat(x), flat(scaled)).fid).toBeCloseTo((1 - s) ** 2 * trace, 3);
  });

  it('refuses mismatched or too small sets', () => {
    expect(() => frechetInceptionDistance(flat([[1, 2]]), flat([[1, 2], [3, 4]]))).toThrow(/at least 2/);
    expect(() => frechetInceptionDistance(flat([[1, 2], [3, 4]]), flat([[1], [2]]))).toThrow(/differ/);
  });
});

describe('KID', () => {
  it('equals the unbiased MMD² with the cubic kernel computed by hand (one full subset)', () => {
    const x = [[0], [1], [2]];
    const y = [[2], [3], [5]];
    const k = (a: number, b: number) => (a * b + 1) ** 3;
    const m = 3;
    let kxx = 0, kyy = 0, kxy = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        if (i !== j) {
          kxx += k(x[i][0], x[j][0]);
          kyy += k(y[i][0], y[j][0]);
        }
        kxy += k(x[i][0], y[j][0]);
      }
    const expected = (kxx + kyy) / (m * (m - 1)) - (2 * kxy) / (m * m);
    expect(kernelInceptionDistance(flat(x), flat(y), { subsets: 1, subsetSize: 3 }).kid).toBeCloseTo(expected, 9);
  });

  it('is near 0 for samples of one distribution and clearly positive for a shifted one; seeded', () => {
    const a = randomSet(200, 8, 21);
    const b = randomSet(200, 8, 21 + 1000);
    const shifted = a.map((r) => r.map((v) => v + 1));
    const same = kernelInceptionDistance(flat(a.slice(0, 100)), flat(a.slice(100)), { subsets: 20, subsetSize: 80, seed: 1 });
    const far = kernelInceptionDistance(flat(a), flat(shifted), { subsets: 20, subsetSize: 80, seed: 1 });
    expect(Math.abs(same.kid)).toBeLessThan(far.kid / 20);
    expect(far.kid).toBeGreaterThan(0);
    expect(kernelInceptionDistance(flat(a), flat(b), { subsets: 5, seed: 9 })).toEqual(kernelInceptionDistance(flat(a), flat(b), { subsets: 5, seed: 9 }));
  });
});

describe('memorisation and diversity', () => {
  it('flags an exact copy of a training image and names it', () => {
    const real = randomSet(30, 6, 5);
    const synthetic = [real[7].map((v) => v + 1e-4), randomSet(1, 6, 99, 1, 3)[0]];
    const r = memorisationCheck(flat(synthetic), flat(real));
    expect(r.perImage[0].index).toBe(7);
    expect(r.perImage[0].nearCopy).toBe(true);
    expect(r.perImage[1].nearCopy).toBe(false);
    expect(r.nearCopies).toBe(1);
  });

  it('mean pairwise distance: hand example and collapse detection', () => {
    // points 0, 3 and 4 on a line: distances 3, 4, 1 → mean 8/3
    expect(meanPairwiseDistance(flat([[0], [3], [4]]))).toBeCloseTo(8 / 3, 12);
    const diverse = randomSet(20, 4, 8);
    const collapsed = diverse.map(() => diverse[0]);
    expect(meanPairwiseDistance(flat(collapsed))).toBe(0);
    expect(meanPairwiseDistance(flat(diverse))).toBeGreaterThan(0.5);
  });
});
