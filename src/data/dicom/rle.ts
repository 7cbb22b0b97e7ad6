// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of up to 15 segment offsets, one
// PackBits-coded segment per byte plane (most significant byte first, sample by sample).
import { FileDecodeError } from '../decode-types';

function readU32LE(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array): void {
  let i = start;
  let o = 0;
  while (i < end && o < out.length) {
    const n = src[i++];
    if (n < 128) {
      const count = n + 1;
      if (i + count > end) throw new FileDecodeError('corrupt', 'RLE literal run passes the end of its segment');
      out.set(src.subarray(i, i + count).subarray(0, out.length - o), o);
      o += count;
      i += count;
    } else if (n > 128) {
      const count = 257 - n;
      if (i >= end) throw new FileDecodeError('corrupt', 'RLE replicate run passes the end of its segment');
      out.fill(src[i++], o, Math.min(out.length, o + count));
      o += count;
    }
    // n === 128 is a no-op per PackBits.
  }
  if (o < out.length) throw new FileDecodeError('truncated', `RLE segment decodes to ${o} of ${out.length} bytes`);
}

/**
 * Decodes one RLE frame into little-endian interleaved samples
 * (bytesPerSample × samplesPerPixel bytes per pixel), the native-LE pixel layout.
 */
export function decodeRleFrame(frame: Uint8Array, pixels: number, bytesPerSample: number, samplesPerPixel: number): Uint8Array {
  if (frame.length < 64) throw new FileDecodeError('truncated', 'RLE frame shorter than its 64-byte header');
  const segments = readU32LE(frame, 0);
  const expected = bytesPerSample * samplesPerPixel;
  if (segments !== expected) throw new FileDecodeError('corrupt', `RLE frame has ${segments} segments, expected ${expected}`);
  const out = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = readU32LE(frame, 4 + 4 * s);
    const end = s + 1 < segments ? readU32LE(frame, 8 + 4 * s) : frame.length;
    if (start < 64 || start > end || end > frame.length) throw new FileDecodeError('corrupt', `RLE segment ${s} has invalid offsets`);
    unpackBits(frame, start, end, plane);
    // Segment order: for each sample, its bytes from most to least significant.
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = expected;
    const offset = sample * bytesPerSample + byteInSample;
    for (let p = 0; p < pixels; p++) out[p * stride + offset] = plane[p];
  }
  return out;
}
