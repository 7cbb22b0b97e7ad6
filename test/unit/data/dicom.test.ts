import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeFile, DEFAULT_DECODE_OPTIONS, type DecodedFile } from '../../../src/data/decode-file';
import { patientGroupHash } from '../../../src/core/dataset/image-id';
import { encodeRle16, TS, wordsToBytes, writeDicom, type DicomSpec } from './dicom-fixtures';

const options = { ...DEFAULT_DECODE_OPTIONS, groupSalt: 'salt-A' };
const W = 16, H = 8;

/** A 12-bit ramp with a few extreme values, row-major. */
const stored12 = Array.from({ length: W * H }, (_, i) => (i * 37 + (i % 5) * 301) % 4096);

// --- expectations computed here from the standard, not from the decoder ---
function linearWindow(x: number, c: number, w: number): number {
  // PS3.3 C.11.2.1.2.1, output range 0..255
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}
const round8 = (y: number) => Math.min(255, Math.max(0, Math.round(y)));
function expectWindowed(stored: number[], slope: number, intercept: number, c: number, w: number): number[] {
  return stored.map((s) => round8(linearWindow(s * slope + intercept, c, w)));
}
function expectMinMax(stored: number[], slope: number, intercept: number): number[] {
  const m = stored.map((s) => s * slope + intercept);
  const lo = Math.min(...m), hi = Math.max(...m);
  return m.map((x) => round8(((x - lo) / (hi - lo)) * 255));
}

async function decodeOk(bytes: Uint8Array, path = 'x.dcm'): Promise<DecodedFile> {
  const r = await decodeFile(path, bytes, options);
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message}`);
  return r.value;
}

function spec(over: Partial<DicomSpec>): DicomSpec {
  return { transferSyntax: TS.explicitLE, rows: H, columns: W, bitsStored: 12, pixelData: wordsToBytes(stored12), ...over };
}

describe('DICOM decoding (files written by dcmjs)', () => {
  it('MONOCHROME2 16-bit with window centre/width', async () => {
    const out = await decodeOk(writeDicom(spec({ window: { center: 1500, width: 2000 } })));
    expect(out.image.width).toBe(W);
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(stored12, 1, 0, 1500, 2000));
    expect(out.original).toMatchObject({ format: 'dicom', bitDepth: 12, photometric: 'MONOCHROME2', modality: 'DX', transferSyntaxUid: TS.explicitLE });
  });

  it('MONOCHROME1 is inverted', async () => {
    const out = await decodeOk(writeDicom(spec({ photometric: 'MONOCHROME1', window: { center: 1500, width: 2000 } })));
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(stored12, 1, 0, 1500, 2000).map((v) => 255 - v));
  });

  it('without a window, maps the min–max of the modality values; rescale applied', async () => {
    const plain = await decodeOk(writeDicom(spec({})));
    expect(Array.from(plain.image.pixels)).toEqual(expectMinMax(stored12, 1, 0));
    const m1 = await decodeOk(writeDicom(spec({ photometric: 'MONOCHROME1' })));
    expect(Array.from(m1.image.pixels)).toEqual(expectMinMax(stored12, 1, 0).map((v) => 255 - v));
    const rescaled = await decodeOk(writeDicom(spec({ rescale: { slope: 2, intercept: -1000 }, window: { center: 2000, width: 3000 } })));
    expect(Array.from(rescaled.image.pixels)).toEqual(expectWindowed(stored12, 2, -1000, 2000, 3000));
  });

  it('signed 16-bit pixels with rescale intercept and window', async () => {
    const signed = stored12.map((v) => v - 2048); // -2048..2047
    const bytes = writeDicom(spec({ bitsStored: 16, pixelRepresentation: 1, pixelData: wordsToBytes(signed), rescale: { slope: 1, intercept: -24 }, window: { center: -100, width: 1200 } }));
    const out = await decodeOk(bytes);
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(signed, 1, -24, -100, 1200));
    // guard: the expectation is not trivial
    expect(new Set(out.image.pixels).size).toBeGreaterThan(20);
  });

  it('signed 12-bit stored in 16 bits: sign taken from bit 11', async () => {
    const signed = stored12.map((v) => v - 2048);
    const raw = signed.map((v) => v & 0x0fff); // 12-bit two's complement, upper bits zero
    const out = await decodeOk(writeDicom(spec({ pixelRepresentation: 1, pixelData: wordsToBytes(raw) })));
    expect(Array.from(out.image.pixels)).toEqual(expectMinMax(signed, 1, 0));
  });

  it('masks bits above High Bit (old overlay bits)', async () => {
    const dirty = stored12.map((v) => v | 0xf000);
    const out = await decodeOk(writeDicom(spec({ pixelData: wordsToBytes(dirty), window: { center: 1500, width: 2000 } })));
    expect(Array.from(out.image.pixels)).toEqual(expectWindowed(stored12, 1, 0, 1500, 2000));
  });

  it('implicit VR little endian and explicit VR big endian give the same pixels', async () => {
    const expected = expectWindowed(stored12, 1, 0, 1500, 2000);
    const implicit = await decodeOk(writeDicom(spec({ transferSyntax: TS.implicitLE, window: { center: 1500, width: 2000 } })));
    expect(Array.from(implicit.image.pixels)).toEqual(expected);
    const be = await decodeOk(writeDicom(spec({ transferSyntax: TS.explicitBE, pixelData: wordsToBytes(stored12, true), window: { center: 1500, width: 2000 } })));
    expect(Array.from(be.image.pixels)).toEqual(expected);
  });

  it('RLE Lossless (encoded in the test)', async () => {
    const out = await decodeOk(writeDicom(spec({ transferSyntax: TS.rle, pixelData: [encodeRle16(stored12)] })));
    expect(Array.from(out.image.pixels)).toEqual(expectMinMax(stored12, 1, 0));
  });

  it('JPEG-LS (encoded in the test with CharLS) and MONOCHROME1', async () => {
    const require = createRequire(import.meta.url);
    const CharLS = require('@cornerstonejs/codec-charls/wasmjs') as () => Promise<{
      JpegLSEncoder: new () => { getDecodedBuffer(f: object): Uint8Array; encode(): void; getEncodedBuffer(): Uint8Array; delete(): void };
    }>;
    const codec = await CharLS();
    const enc = new codec.JpegLSEncoder();
    enc.getDecodedBuffer({ width: W, height: H, bitsPerSample: 12, componentCount: 1 }).set(new Uint8Array(wordsToBytes(stored12)));
    enc.encode();
    const encoded = enc.getEncodedBuffer().slice();
    enc.delete();
    expect(encoded.length).toBeLessThan(W * H * 2 + 100);
    const out = await decodeOk(writeDicom(spec({ transferSyntax: TS.jpegLs, photometric: 'MONOCHROME1', pixelData: [encoded.buffer] })));
    expect(Array.from(out.image.pixels)).toEqual(expectMinMax(stored12, 1, 0).map((v) => 255 - v));
    expect(out.original.transferSyntaxUid).toBe(TS.jpegLs);
  });

  it('hashes Patient ID with the dataset salt and never returns it', async () => {
    const bytes = writeDicom(spec({ patientId: 'PAT-12345' }));
    const a = await decodeOk(bytes);
    expect(a.patientGroup).toBe(await patientGroupHash('patient:PAT-12345', 'salt-A'));
    expect(JSON.stringify({ ...a, image: null })).not.toContain('PAT-12345');
    const other = await decodeFile('x.dcm', bytes, { ...options, groupSalt: 'salt-B' });
    expect(other.ok && other.value.patientGroup).not.toBe(a.patientGroup);
    // without Patient ID the Study Instance UID groups the image
    expect((await decodeOk(writeDicom(spec({})))).patientGroup).toBe(await patientGroupHash('study:1.2.826.0.1.3680043.2.1125.3', 'salt-A'));
  });

  it('names unsupported transfer syntaxes and reports bad DICOM files', async () => {
    const mpeg = await decodeFile('v.dcm', writeDicom(spec({ transferSyntax: TS.mpeg2, pixelData: [new Uint8Array([0, 0, 1, 0xb3]).buffer] })), options);
    expect(mpeg).toMatchObject({ ok: false, error: { path: 'v.dcm', reason: 'unsupported-transfer-syntax' } });
    expect(!mpeg.ok && mpeg.error.message).toContain('MPEG2 Main Profile / Main Level');

    const full = writeDicom(spec({}));
    const cut = await decodeFile('cut.dcm', full.slice(0, full.length - 100), options);
    expect(cut).toMatchObject({ ok: false, error: { reason: 'truncated' } });

    const noPixels = await decodeFile('sr.dcm', writeDicom(spec({ pixelData: null })), options);
    expect(noPixels).toMatchObject({ ok: false, error: { reason: 'not-an-image' } });

    const shortPixels = await decodeFile('short.dcm', writeDicom(spec({ pixelData: wordsToBytes(stored12.slice(0, 50)) })), options);
    expect(shortPixels).toMatchObject({ ok: false, error: { reason: 'truncated' } });
  });
});
