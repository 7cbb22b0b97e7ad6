// Seeded pseudo-random numbers: the one RNG of the app (splits, bootstrap, demo data,
// diffusion noise). xoshiro128** (Blackman & Vigna) seeded through splitmix32, so any
// 32-bit seed gives a well-mixed state; normals by the Box–Muller transform.

export interface Rng {
  /** uniform 32-bit unsigned integer */
  nextUint32(): number;
  /** uniform in [0, 1) with 32 bits of resolution */
  next(): number;
  /** uniform integer in [0, n) without modulo bias */
  int(n: number): number;
  /** standard normal N(0, 1) */
  normal(): number;
  fillNormal(out: Float32Array | Float64Array): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const sm = splitmix32(seed);
  let a = sm(), b = sm(), c = sm(), d = sm();
  if ((a | b | c | d) === 0) a = 1;
  let spare: number | null = null;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = () => nextUint32() / 4294967296;
  const int = (n: number): number => {
    if (!(n > 0) || n > 4294967296) throw new RangeError(`int(n): n must be in (0, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = nextUint32();
      if (x < limit) return x % n;
    }
  };
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    nextUint32,
    next,
    int,
    normal,
    fillNormal(out) {
      for (let i = 0; i < out.length; i++) out[i] = normal();
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** Derives an independent child seed (e.g. one per bootstrap worker or per image). */
export function deriveSeed(seed: number, stream: number): number {
  return splitmix32((seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0)();
}
