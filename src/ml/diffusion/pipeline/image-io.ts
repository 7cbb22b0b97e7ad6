// Init image in, generated image out. Inputs are the app's canonical 8-bit images (gray,
// RGB or RGBA, row-major HWC); the VAE wants NCHW float32 in [−1, 1] at the model size.

export interface PixelImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Largest centred crop of (w, h) with the aspect ratio of (tw, th). */
export function centerCropBox(w: number, h: number, tw: number, th: number): { x: number; y: number; w: number; h: number } {
  if (w * th > h * tw) {
    const cw = Math.round((h * tw) / th);
    return { x: Math.floor((w - cw) / 2), y: 0, w: cw, h };
  }
  const ch = Math.round((w * th) / tw);
  return { x: 0, y: Math.floor((h - ch) / 2), w, h: ch };
}

// Separable triangle-filter resampling with the support widened by the downscale factor
// (PIL's antialiased BILINEAR), so downscaling averages instead of aliasing.
function resampleAxis(src: Float32Array, n: number, stride: number, count: number, srcLen: number, dstLen: number, offset: number, span: number): Float32Array {
  const scale = span / dstLen;
  const support = Math.max(1, scale);
  const out = new Float32Array(count * dstLen);
  for (let o = 0; o < dstLen; o++) {
    const center = offset + (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(srcLen - 1, Math.ceil(center + support));
    const weights: number[] = [];
    let total = 0;
    for (let s = lo; s <= hi; s++) {
      const wgt = Math.max(0, 1 - Math.abs((s + 0.5 - center) / support));
      weights.push(wgt);
      total += wgt;
    }
    for (let k = 0; k < count; k++) {
      let acc = 0;
      for (let s = lo; s <= hi; s++) acc += src[k * n + s * stride] * weights[s - lo];
      out[k * dstLen + o] = acc / total;
    }
  }
  return out;
}

/**
 * Canonical pixels → [1, 3, height, width] float32 in [−1, 1] (diffusers VaeImageProcessor:
 * x/255·2 − 1). Gray is replicated to RGB, alpha dropped; a different aspect ratio is
 * centre-cropped, a different size resampled.
 */
export function imageToVaeInput(image: PixelImage, width: number, height: number): Float32Array {
  const { data, channels } = image;
  if (data.length !== image.width * image.height * channels) {
    throw new Error(`image data has ${data.length} bytes, expected ${image.width}×${image.height}×${channels}`);
  }
  const box = centerCropBox(image.width, image.height, width, height);
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const srcC = channels === 1 ? 0 : c;
    // source plane of this channel as float [0, 1]
    const src = new Float32Array(image.width * image.height);
    for (let i = 0; i < src.length; i++) src[i] = data[i * channels + srcC] / 255;
    let rows: Float32Array;
    if (box.w === width && box.h === height) {
      rows = new Float32Array(plane);
      for (let y = 0; y < height; y++) rows.set(src.subarray((box.y + y) * image.width + box.x, (box.y + y) * image.width + box.x + width), y * width);
    } else {
      // horizontal pass over the rows of the crop box, then vertical
      const cropRows = new Float32Array(box.h * image.width);
      cropRows.set(src.subarray(box.y * image.width, (box.y + box.h) * image.width));
      const horiz = resampleAxis(cropRows, image.width, 1, box.h, image.width, width, box.x, box.w); // [box.h, width]
      const transposed = new Float32Array(width * box.h);
      for (let y = 0; y < box.h; y++) for (let x = 0; x < width; x++) transposed[x * box.h + y] = horiz[y * width + x];
      const vert = resampleAxis(transposed, box.h, 1, width, box.h, height, 0, box.h); // [width, height]
      rows = new Float32Array(plane);
      for (let x = 0; x < width; x++) for (let y = 0; y < height; y++) rows[y * width + x] = vert[x * height + y];
    }
    for (let i = 0; i < plane; i++) out[c * plane + i] = Math.fround(rows[i]) * 2 - 1;
  }
  return out;
}

/** numpy's round-half-to-even, as diffusers' numpy_to_pil ((x·255).round()). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** VAE output [1, 3, H, W] in ~[−1, 1] → NHWC float [0, 1] (clamp(x/2 + 0.5)) and RGB bytes. */
export function vaeOutputToImage(decoded: Float32Array, width: number, height: number): { rgb: Uint8Array; float: Float32Array } {
  const plane = width * height;
  const float = new Float32Array(plane * 3);
  const rgb = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const v = Math.min(1, Math.max(0, Math.fround(Math.fround(decoded[c * plane + i] / 2) + 0.5)));
      float[i * 3 + c] = v;
      rgb[i * 3 + c] = roundHalfEven(Math.fround(v * 255));
    }
  }
  return { rgb, float };
}

/** RGB bytes → 8-bit gray with ITU-R 601 luma (PIL's "L" conversion). */
export function rgbToGray(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.floor((rgb[i * 3] * 19595 + rgb[i * 3 + 1] * 38470 + rgb[i * 3 + 2] * 7471 + 0x8000) / 65536);
  }
  return out;
}
