// Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form, then
// the implicit QL algorithm (tred2/tql2 of EISPACK, as in JAMA and Numerical Recipes
// §11.2–11.3). O(n³) in float64; used for matrix square-root traces in FID.

/** Eigenvalues (ascending) of the symmetric n×n matrix `a` (row-major, float64; destroyed). */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`symmetricEigenvalues: expected ${n * n} values, got ${a.length}`);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(a, n, d, e);
  tql(d, e, n);
  return d.sort();
}

// Householder reduction (eigenvalues only: the transformation matrix is not accumulated).
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    const row = i * n;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[row + k]);
      if (scale === 0) {
        e[i] = a[row + l];
      } else {
        for (let k = 0; k <= l; k++) {
          a[row + k] /= scale;
          h += a[row + k] * a[row + k];
        }
        let f = a[row + l];
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[row + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          let gj = 0;
          const rj = j * n;
          for (let k = 0; k <= j; k++) gj += a[rj + k] * a[row + k];
          for (let k = j + 1; k <= l; k++) gj += a[k * n + j] * a[row + k];
          e[j] = gj / h;
          f += e[j] * a[row + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          const fj = a[row + j];
          const gj = (e[j] -= hh * fj);
          const rj = j * n;
          for (let k = 0; k <= j; k++) a[rj + k] -= fj * e[k] + gj * a[row + k];
        }
      }
    } else {
      e[i] = a[row + l];
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
}

function tql(d: Float64Array, e: Float64Array, n: number): void {
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new Error('symmetricEigenvalues: QL iteration did not converge');
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          f = 0;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}
