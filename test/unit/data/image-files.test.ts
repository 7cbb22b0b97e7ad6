import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeFile, DEFAULT_DECODE_OPTIONS, checkFileSize } from '../../../src/data/decode-file';
import { canonicalSize, resizeArea, toGray8 } from '../../../src/data/canonicalise';
import { readJpegHeader } from '../../../src/data/jpeg-header';

const options = { ...DEFAULT_DECODE_OPTIONS, groupSalt: 's' };
const KERMANY = resolve(import.meta.dirname, '../../../../shared/data/kermany-subset');

/** A PNG whose IHDR claims w×h, followed by a tiny IDAT and IEND (CRCs not valid). */
function pngClaiming(w: number, h: number): Uint8Array {
  const real = encode({ width: 2, height: 2, data: new Uint8Array(4), depth: 8, channels: 1 });
  const out = real.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, w);
  view.setUint32(20, h);
  return out;
}

describe('PNG', () => {
  it('decodes 16-bit gray by scaling 0..65535 to 0..255', async () => {
    const data = Uint16Array.from([0, 257, 32768, 65535, 1000, 60000]);
    const r = await decodeFile('a.png', encode({ width: 3, height: 2, data, depth: 16, channels: 1 }), options);
    if (!r.ok) throw new Error(r.error.message);
    expect(Array.from(r.value.image.pixels)).toEqual(Array.from(data, (v) => Math.round((v * 255) / 65535)));
    expect(r.value.original).toEqual({ format: 'png', width: 3, height: 2, bitDepth: 16, photometric: 'GRAY' });
  });

  it('decodes RGB to Rec.601 luma and equal channels exactly', async () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 77, 77, 77]);
    const r = await decodeFile('c.png', encode({ width: 4, height: 1, data: rgb, depth: 8, channels: 3 }), options);
    if (!r.ok) throw new Error(r.error.message);
    expect(Array.from(r.value.image.pixels)).toEqual([Math.round(0.299 * 255), Math.round(0.587 * 255), Math.round(0.114 * 255), 77]);
  });

  it('rejects a header claiming 30000×30000 before allocating', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const r = await decodeFile('huge.png', pngClaiming(30000, 30000), options);
    expect(r).toMatchObject({ ok: false, error: { path: 'huge.png', reason: 'too-large' } });
    expect(!r.ok && r.error.message).toMatch(/30000×30000/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50e6);
    const limited = await decodeFile('mid.png', pngClaiming(2000, 2000), { ...options, limits: { ...options.limits, maxPixels: 1e6 } });
    expect(limited).toMatchObject({ ok: false, error: { reason: 'too-large' } });
  });

  it('reports empty, truncated, corrupt and non-image files with their reason', async () => {
    const good = encode({ width: 64, height: 64, data: new Uint8Array(4096).map((_, i) => i * 7), depth: 8, channels: 1 });
    const corrupt = good.slice();
    for (let i = 60; i < 90; i++) corrupt[i] ^= 0x5a;
    const cases: [string, Uint8Array, string][] = [
      ['empty.png', new Uint8Array(0), 'empty'],
      ['cut.png', good.slice(0, good.length - 40), 'truncated'],
      ['header-only.png', good.slice(0, 20), 'truncated'],
      ['bad.png', corrupt, 'corrupt'],
      ['notes.txt', new TextEncoder().encode('hello, not an image'), 'not-an-image'],
      ['anim.gif', new TextEncoder().encode('GIF89a....'), 'unsupported-format'],
    ];
    for (const [path, bytes, reason] of cases) {
      const r = await decodeFile(path, bytes, options);
      expect(r, path).toMatchObject({ ok: false, error: { path, reason } });
    }
    expect(checkFileSize('big.dcm', 5e9)).toMatchObject({ reason: 'too-large' });
  });
});

describe('JPEG', () => {
  const jpeg = readFileSync(resolve(KERMANY, 'train/NORMAL/019.jpeg'));

  it('reads the size from the SOF header and rejects absurd sizes before decoding', async () => {
    expect(readJpegHeader(jpeg)).toMatchObject({ width: 640, height: 640, precision: 8, components: 3 });
    const big = new Uint8Array(jpeg);
    const sof = big.findIndex((b, i) => b === 0xff && big[i + 1] === 0xc0);
    expect(sof).toBeGreaterThan(0);
    new DataView(big.buffer, big.byteOffset).setUint16(sof + 5, 20000);
    new DataView(big.buffer, big.byteOffset).setUint16(sof + 7, 20000);
    expect(await decodeFile('big.jpeg', big, options)).toMatchObject({ ok: false, error: { reason: 'too-large' } });
  });

  it('decodes with libjpeg-turbo and canonicalises 640² to 512²', async () => {
    const r = await decodeFile('a.jpeg', jpeg, options);
    if (!r.ok) throw new Error(r.error.message);
    expect([r.value.image.width, r.value.image.height]).toEqual([512, 512]);
    expect(r.value.original).toMatchObject({ format: 'jpeg', width: 640, height: 640, bitDepth: 8 });
    const mean = r.value.image.pixels.reduce((a, b) => a + b, 0) / r.value.image.pixels.length;
    expect(mean).toBeGreaterThan(40);
    expect(mean).toBeLessThan(220);
  });

  it('reports a truncated JPEG (which browsers would render half grey)', async () => {
    const r = await decodeFile('cut.jpeg', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), options);
    expect(r).toMatchObject({ ok: false, error: { reason: 'truncated' } });
  });
});

describe('canonicalisation', () => {
  it('area-averages when downscaling and keeps the aspect ratio', () => {
    expect(canonicalSize(1000, 500, 512)).toEqual({ width: 512, height: 256 });
    expect(canonicalSize(300, 200, 512)).toEqual({ width: 300, height: 200 });
    // 4×2 → 2×1: each output pixel is the mean of a 2×2 block
    const img = { width: 4, height: 2, pixels: Uint8Array.from([0, 10, 100, 200, 20, 30, 50, 51]) };
    expect(Array.from(resizeArea(img, 2, 1).pixels)).toEqual([15, Math.round(401 / 4)]);
    // 3 → 2 columns: overlapping coverage, weights 2/3 and 1/3
    const odd = { width: 3, height: 1, pixels: Uint8Array.from([0, 90, 180]) };
    expect(Array.from(resizeArea(odd, 2, 1).pixels)).toEqual([30, 150]);
  });
  it('converts gray+alpha and RGBA by ignoring alpha', () => {
    expect(Array.from(toGray8({ width: 2, height: 1, channels: 2, data: Uint8Array.from([9, 0, 200, 255]), sampleBits: 8 }).pixels)).toEqual([9, 200]);
  });
});
