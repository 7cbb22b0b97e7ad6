// Canonical form of every stored image: 8-bit grayscale, longest side at most
// `maxSide` (aspect kept) by area averaging, content-addressed by SHA-256 (image-id.ts).
// Everything here is integer or IEEE arithmetic in a fixed order, so the same input
// gives the same bytes, and the same id, in every engine.
import { canonicalImageId } from '../core/dataset/image-id';
import type { Gray8Image, RawImage } from './decode-types';

export const DEFAULT_CANONICAL_MAX_SIDE = 512;

/**
 * Gray from any RawImage. RGB uses Rec.601 luma in 16-bit fixed point
 * (19595 + 38470 + 7471 = 65536, so equal channels give that value exactly);
 * alpha is ignored (radiographs are opaque); 16-bit samples scale by 255/65535.
 */
export function toGray8(img: RawImage): Gray8Image {
  const { width, height, channels, data } = img;
  const n = width * height;
  const out = new Uint8Array(n);
  const to8 = img.sampleBits === 16 ? (v: number) => Math.round((v * 255) / 65535) : (v: number) => v;
  if (channels <= 2) {
    for (let i = 0, j = 0; i < n; i++, j += channels) out[i] = to8(data[j]);
  } else {
    for (let i = 0, j = 0; i < n; i++, j += channels) {
      const r = to8(data[j]), g = to8(data[j + 1]), b = to8(data[j + 2]);
      out[i] = r === g && g === b ? r : (19595 * r + 38470 * g + 7471 * b + 32768) >>> 16;
    }
  }
  return { width, height, pixels: out };
}

export function canonicalSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height };
  const scale = maxSide / longest;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** For each output index: the source indices it covers and their area weights (summing to 1). */
function areaWeights(src: number, dst: number): { start: Int32Array; count: Int32Array; weights: Float64Array } {
  const ratio = src / dst;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const lists: number[][] = [];
  let total = 0;
  for (let o = 0; o < dst; o++) {
    const a = o * ratio;
    const b = (o + 1) * ratio;
    const first = Math.floor(a);
    const last = Math.min(src - 1, Math.ceil(b) - 1);
    const w: number[] = [];
    for (let s = first; s <= last; s++) w.push((Math.min(b, s + 1) - Math.max(a, s)) / ratio);
    start[o] = first;
    count[o] = w.length;
    lists.push(w);
    total += w.length;
  }
  const weights = new Float64Array(total);
  let k = 0;
  for (const w of lists) for (const x of w) weights[k++] = x;
  return { start, count, weights };
}

/** Box-filter (area-averaging) resize, separable: rows first, then columns. */
export function resizeArea(img: Gray8Image, width: number, height: number): Gray8Image {
  if (width === img.width && height === img.height) return img;
  const hx = areaWeights(img.width, width);
  const hy = areaWeights(img.height, height);
  const tmp = new Float64Array(width * img.height);
  for (let y = 0; y < img.height; y++) {
    const row = y * img.width;
    for (let x = 0, k = 0; x < width; x++) {
      let acc = 0;
      const s0 = hx.start[x];
      for (let c = 0; c < hx.count[x]; c++, k++) acc += img.pixels[row + s0 + c] * hx.weights[k];
      tmp[y * width + x] = acc;
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0, k0 = 0; y < height; y++) {
    const s0 = hy.start[y];
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let c = 0; c < hy.count[y]; c++) acc += tmp[(s0 + c) * width + x] * hy.weights[k0 + c];
      out[y * width + x] = Math.min(255, Math.max(0, Math.round(acc)));
    }
    k0 += hy.count[y];
  }
  return { width, height, pixels: out };
}

export interface CanonicalImage extends Gray8Image {
  id: string;
}

export async function canonicalise(img: RawImage | Gray8Image, maxSide = DEFAULT_CANONICAL_MAX_SIDE): Promise<CanonicalImage> {
  const gray = 'pixels' in img ? img : toGray8(img);
  const size = canonicalSize(gray.width, gray.height, maxSide);
  const small = resizeArea(gray, size.width, size.height);
  return { ...small, id: await canonicalImageId(small.width, small.height, small.pixels) };
}
