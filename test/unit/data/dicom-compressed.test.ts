// Encapsulated transfer syntaxes not covered in dicom.test.ts: JPEG baseline, JPEG
// lossless (Process 14, SV1 and other predictors) and JPEG 2000. Each DICOM file is
// written by dcmjs with the frame encoded in the test (cornerstone's own encoders, or
// the lossless JPEG encoder in jpeg-lossless-encoder.ts), decoded through decodeFile,
// and compared with 8-bit values computed here from PS3.3 C.11.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeFile, DEFAULT_DECODE_OPTIONS, type DecodedFile } from '../../../src/data/decode-file';
import { TS, writeDicom } from './dicom-fixtures';
import { readJpegHeader } from '../../../src/data/jpeg-header';
import { encodeLosslessJpeg } from './jpeg-lossless-encoder';

const require = createRequire(import.meta.url);
const options = { ...DEFAULT_DECODE_OPTIONS, groupSalt: 'salt-A' };

interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean }
interface WasmEncoder { getDecodedBuffer(f: FrameInfo): Uint8Array; encode(): void; getEncodedBuffer(): Uint8Array; delete(): void }
interface WasmDecoder { getEncodedBuffer(n: number): Uint8Array; decode(): void; getDecodedBuffer(): Uint8Array; getFrameInfo(): FrameInfo; delete(): void }

function linearWindow(x: number, c: number, w: number): number {
  // PS3.3 C.11.2.1.2.1, output range 0..255
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}
const round8 = (y: number) => Math.min(255, Math.max(0, Math.round(y)));
const expectWindowed = (stored: ArrayLike<number>, c: number, w: number, slope = 1, intercept = 0) =>
  Array.from(stored, (s) => round8(linearWindow(s * slope + intercept, c, w)));
function expectMinMax(stored: ArrayLike<number>): number[] {
  const a = Array.from(stored);
  const lo = Math.min(...a), hi = Math.max(...a);
  return a.map((x) => round8(((x - lo) / (hi - lo)) * 255));
}

async function decodeOk(bytes: Uint8Array): Promise<DecodedFile> {
  const r = await decodeFile('x.dcm', bytes, options);
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message}`);
  return r.value;
}

function le16(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i] & 0xffff, true);
  return out;
}

/** An encoded frame as its own ArrayBuffer (dcmjs writes each array item as one frame). */
function frame(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}


/** A smooth ramp with an edge and a texture, like a radiograph in miniature; values 0..max. */
function testImage(width: number, height: number, max: number): number[] {
  return Array.from({ length: width * height }, (_, i) => {
    const x = i % width, y = Math.floor(i / width);
    const ramp = (x / (width - 1)) * 0.6 + (y / (height - 1)) * 0.3;
    const edge = x > width / 2 && y > height / 3 ? 0.1 : 0;
    const texture = ((x * 7 + y * 13) % 5) / 200;
    return Math.min(max, Math.round((ramp + edge + texture) * max));
  });
}

describe('JPEG Baseline (1.2.840.10008.1.2.4.50), encoded with libjpeg-turbo', () => {
  const W = 32, H = 24;
  const source = testImage(W, H, 255);

  async function encodeJpeg(quality: number): Promise<Uint8Array> {
    const factory = require('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs') as () => Promise<{ JPEGEncoder: new () => WasmEncoder & { setQuality(q: number): void; setProgressive(p: boolean): void } }>;
    const codec = await factory();
    const enc = new codec.JPEGEncoder();
    try {
      enc.getDecodedBuffer({ width: W, height: H, bitsPerSample: 8, componentCount: 1, isSigned: false }).set(Uint8Array.from(source));
      enc.setQuality(quality);
      // this encoder writes progressive JPEG (SOF2) unless told otherwise; .50 is baseline
      enc.setProgressive(false);
      enc.encode();
      return enc.getEncodedBuffer().slice();
    } finally {
      enc.delete();
    }
  }

  /** The same stream decoded directly by libjpeg-turbo (full build, not the app's loader). */
  async function referenceDecode(jpeg: Uint8Array): Promise<Uint8Array> {
    const factory = require('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs') as () => Promise<{ JPEGDecoder: new () => WasmDecoder }>;
    const codec = await factory();
    const dec = new codec.JPEGDecoder();
    try {
      dec.getEncodedBuffer(jpeg.length).set(jpeg);
      dec.decode();
      expect(dec.getFrameInfo()).toMatchObject({ width: W, height: H, componentCount: 1 });
      return dec.getDecodedBuffer().slice();
    } finally {
      dec.delete();
    }
  }

  it.each([100, 75])('8-bit MONOCHROME2 at quality %i: close to the source, identical to libjpeg-turbo’s own decode', async (quality) => {
    const jpeg = await encodeJpeg(quality);
    expect(readJpegHeader(jpeg)).toMatchObject({ process: 0, precision: 8, components: 1, width: W, height: H });
    // C=128 W=256 (LINEAR) maps 0..255 onto itself, so the output is the decoded sample.
    const bytes = writeDicom({ transferSyntax: TS.jpegBaseline, rows: H, columns: W, bitsAllocated: 8, bitsStored: 8, pixelData: [frame(jpeg)], window: { center: 128, width: 256 } });
    const out = await decodeOk(bytes);
    expect(out.image.width).toBe(W);
    expect(out.image.height).toBe(H);
    expect(out.original).toMatchObject({ bitDepth: 8, transferSyntaxUid: TS.jpegBaseline });
    const got = Array.from(out.image.pixels);
    expect(expectWindowed(source, 128, 256)).toEqual(source); // the window is the identity
    // Exact: the pipeline adds nothing to the codec's loss.
    expect(got).toEqual(expectWindowed(await referenceDecode(jpeg), 128, 256));
    // Tolerance against the source (a guard that the codec round trip is sane; the exact
    // check above is the one on the app). Quality 100 uses all-ones quantisation tables,
    // so the only loss is coefficient and integer IDCT rounding: ±2 levels at most
    // (observed: max 1, mean 0.08). Quality 75 quantises the period-5 texture of this
    // image coarsely (AC steps up to ~50): bounds at about 1.5× the observed max 11 and
    // mean 1.8.
    const err = got.map((v, i) => Math.abs(v - source[i]));
    const maxErr = Math.max(...err), meanErr = err.reduce((a, b) => a + b, 0) / err.length;
    if (quality === 100) {
      expect(maxErr).toBeLessThanOrEqual(2);
      expect(meanErr).toBeLessThan(0.5);
    } else {
      expect(maxErr).toBeLessThanOrEqual(16);
      expect(meanErr).toBeLessThan(3);
    }
  });

  it('12-bit JPEG Extended (.51) is reported as unsupported, not misdecoded', async () => {
    // Turn the baseline stream’s SOF0 into SOF1 with 12-bit precision: the frame header
    // is what the decoder checks before handing the data to the 8-bit codec.
    const jpeg = (await encodeJpeg(100)).slice();
    let sof = -1;
    for (let i = 2; i + 1 < jpeg.length; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === 0xc0) { sof = i; break; }
    expect(sof).toBeGreaterThan(0);
    jpeg[sof + 1] = 0xc1;
    jpeg[sof + 4] = 12;
    const r = await decodeFile('x.dcm', writeDicom({ transferSyntax: TS.jpegExtended, rows: H, columns: W, bitsStored: 12, pixelData: [frame(jpeg)] }), options);
    expect(r).toMatchObject({ ok: false, error: { reason: 'unsupported-transfer-syntax' } });
    expect(!r.ok && r.error.message).toContain('12-bit');
  });

  it('without a window: min–max of the decoded samples', async () => {
    const jpeg = await encodeJpeg(100);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.jpegBaseline, rows: H, columns: W, bitsAllocated: 8, bitsStored: 8, photometric: 'MONOCHROME1', pixelData: [frame(jpeg)] }));
    expect(Array.from(out.image.pixels)).toEqual(expectMinMax(await referenceDecode(jpeg)).map((v) => 255 - v));
  });
});

describe('JPEG Lossless (1.2.840.10008.1.2.4.57 / .70), encoded in the test', () => {
  const W = 16, H = 8;

  it('16-bit, first-order prediction (.70): exact, including a difference of 32768', async () => {
    // full 16-bit range; sample 0 is 0, 2^15 away from the initial prediction (SSSS = 16)
    const stored = Array.from({ length: W * H }, (_, i) => (i === 0 ? 0 : i === 1 ? 65535 : (i * 4099 + (i % 7) * 9000) % 65536));
    const jpeg = encodeLosslessJpeg(stored, W, H, 16, 1);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.jpegLosslessSv1, rows: H, columns: W, bitsStored: 16, pixelData: [frame(jpeg)], window: { center: 30000, width: 40000 } }));
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(stored, 30000, 40000));
    expect(new Set(out.image.pixels).size).toBeGreaterThan(20);
    expect(out.original).toMatchObject({ bitDepth: 16, transferSyntaxUid: TS.jpegLosslessSv1 });
  });

  it.each([1, 2, 3, 4, 5, 6, 7])('12-bit, predictor %i (.57): exact', async (predictor) => {
    const stored = testImage(W, H, 4095).map((v, i) => (i % 11 === 0 ? 4095 - v : v));
    const jpeg = encodeLosslessJpeg(stored, W, H, 12, predictor);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.jpegLossless, rows: H, columns: W, bitsStored: 12, pixelData: [frame(jpeg)], rescale: { slope: 2, intercept: -1024 }, window: { center: 2500, width: 5000 } }));
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(stored, 2500, 5000, 2, -1024));
  });

  it('signed 16-bit stored as two’s complement: sign restored from Pixel Representation', async () => {
    const signed = testImage(W, H, 4000).map((v) => v - 2000);
    const jpeg = encodeLosslessJpeg(signed.map((v) => v & 0xffff), W, H, 16, 1);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.jpegLosslessSv1, rows: H, columns: W, bitsStored: 16, pixelRepresentation: 1, pixelData: [frame(jpeg)], window: { center: 0, width: 3000 } }));
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(signed, 0, 3000));
  });

  it('a stream whose size differs from Rows/Columns is reported, not misread', async () => {
    const stored = testImage(W, H, 4095);
    // same pixel count, transposed: 8 columns × 16 rows in the JPEG, 16 × 8 in the header
    const jpeg = encodeLosslessJpeg(stored, H, W, 12, 1);
    const r = await decodeFile('x.dcm', writeDicom({ transferSyntax: TS.jpegLosslessSv1, rows: H, columns: W, bitsStored: 12, pixelData: [frame(jpeg)] }), options);
    expect(r).toMatchObject({ ok: false, error: { reason: 'corrupt' } });
    expect(!r.ok && r.error.message).toContain('8×16');
  });

  it('8-bit samples', async () => {
    const stored = testImage(W, H, 255);
    const jpeg = encodeLosslessJpeg(stored, W, H, 8, 1);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.jpegLosslessSv1, rows: H, columns: W, bitsAllocated: 8, bitsStored: 8, pixelData: [frame(jpeg)] }));
    expect(Array.from(out.image.pixels)).toEqual(expectMinMax(stored));
  });
});

describe('JPEG 2000 (1.2.840.10008.1.2.4.90 / .91), encoded with OpenJPEG', () => {
  const W = 64, H = 48;

  async function encodeJ2k(samples: ArrayLike<number>, bitsPerSample: number, isSigned: boolean, lossy?: { ratio: number }): Promise<Uint8Array> {
    const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as () => Promise<{
      J2KEncoder: new () => WasmEncoder & { setQuality(lossless: boolean, layers: number): void; setCompressionRatio(layer: number, ratio: number): void; setDecompositions(n: number): void };
    }>;
    const codec = await factory();
    const enc = new codec.J2KEncoder();
    try {
      enc.getDecodedBuffer({ width: W, height: H, bitsPerSample, componentCount: 1, isSigned }).set(bitsPerSample > 8 ? le16(samples) : Uint8Array.from(samples));
      enc.setDecompositions(3);
      if (lossy) {
        // irreversible 9/7 wavelet, one quality layer at the given ratio
        enc.setQuality(false, 1);
        enc.setCompressionRatio(0, lossy.ratio);
      }
      enc.encode();
      return enc.getEncodedBuffer().slice();
    } finally {
      enc.delete();
    }
  }

  it('12-bit lossless (.90): exact after rescale and window', async () => {
    const stored = testImage(W, H, 4095);
    const j2k = await encodeJ2k(stored, 12, false);
    expect(Array.from(j2k.subarray(0, 4))).toEqual([0xff, 0x4f, 0xff, 0x51]); // SOC, SIZ
    const out = await decodeOk(writeDicom({ transferSyntax: TS.j2kLossless, rows: H, columns: W, bitsStored: 12, pixelData: [frame(j2k)], rescale: { slope: 1, intercept: -1024 }, window: { center: 1000, width: 2500 } }));
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(stored, 1000, 2500, 1, -1024));
    expect(new Set(out.image.pixels).size).toBeGreaterThan(50);
    expect(out.original).toMatchObject({ bitDepth: 12, transferSyntaxUid: TS.j2kLossless });
  });

  it('16-bit lossless (.90), MONOCHROME1, min–max', async () => {
    const stored = testImage(W, H, 65535);
    const j2k = await encodeJ2k(stored, 16, false);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.j2kLossless, rows: H, columns: W, bitsStored: 16, photometric: 'MONOCHROME1', pixelData: [frame(j2k)] }));
    expect(Array.from(out.image.pixels)).toEqual(expectMinMax(stored).map((v) => 255 - v));
  });

  it('signed 16-bit lossless (.90)', async () => {
    const signed = testImage(W, H, 6000).map((v) => v - 3000);
    const j2k = await encodeJ2k(signed, 16, true);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.j2kLossless, rows: H, columns: W, bitsStored: 16, pixelRepresentation: 1, pixelData: [frame(j2k)], window: { center: 0, width: 5000 } }));
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(signed, 0, 5000));
  });

  it('multi-frame: the first frame is decoded', async () => {
    const first = testImage(W, H, 4095);
    const second = first.map((v) => 4095 - v);
    const frames = [await encodeJ2k(first, 12, false), await encodeJ2k(second, 12, false)];
    const out = await decodeOk(writeDicom({ transferSyntax: TS.j2kLossless, rows: H, columns: W, bitsStored: 12, pixelData: frames.map(frame), extra: { NumberOfFrames: '2' } }));
    expect(Array.from(out.image.pixels)).toEqual(expectMinMax(first));
  });

  it('12-bit lossy (.91): within tolerance of the source', async () => {
    const stored = testImage(W, H, 4095);
    const j2k = await encodeJ2k(stored, 12, false, { ratio: 10 });
    expect(j2k.length).toBeLessThan((W * H * 2) / 5);
    const out = await decodeOk(writeDicom({ transferSyntax: TS.j2k, rows: H, columns: W, bitsStored: 12, pixelData: [frame(j2k)], window: { center: 2048, width: 4096 } }));
    // Window C=2048 W=4096 maps 12 bits to 8 (one output level per 16 stored levels). A
    // 10:1 irreversible (9/7) code of this smooth image: observed max 4 output levels,
    // mean 0.6; the bounds allow 1.5× that. At least one pixel must differ, or the
    // stream was not lossy and the test would not exercise .91 as meant.
    const expected = expectWindowed(stored, 2048, 4096);
    const err = Array.from(out.image.pixels, (v, i) => Math.abs(v - expected[i]));
    expect(Math.max(...err)).toBeGreaterThan(0);
    expect(Math.max(...err)).toBeLessThanOrEqual(6);
    expect(err.reduce((a, b) => a + b, 0) / err.length).toBeLessThan(1);
  });
});
