// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- see codecs.ts
/// <reference path="../codec-modules.d.ts" />
// The first frame's samples as integers: native pixel data (LE/BE, 8/16/32-bit, masked to
// Bits Stored and sign-extended) or encapsulated data through the matching codec.
// Multi-frame objects contribute their first frame (radiographs are single-frame).
import dicomParser, { type DataSet } from 'dicom-parser';
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import { decodeWithCodec } from '../codecs';
import { readJpegHeader } from '../jpeg-header';
import { FileDecodeError } from '../decode-types';
import { decodeRleFrame } from './rle';
import { transferSyntaxInfo } from './transfer-syntax';
import type { DicomImageAttributes } from './attributes';

export interface FrameSamples {
  /** interleaved samples (samplesPerPixel per pixel), stored values */
  samples: Int32Array;
  samplesPerPixel: number;
  /**
   * true when a codec already converted YBR to RGB (JPEG baseline, JPEG 2000 with MCT);
   * native YBR data is not converted
   */
  colorConverted: boolean;
}

/**
 * Reads little-endian (or big-endian) words into integers, keeping `bitsStored` bits
 * starting at `shift` and sign-extending when the data are signed.
 */
export function unpackSamples(bytes: Uint8Array, count: number, bytesPerSample: number, bigEndian: boolean, bitsStored: number, shift: number, signed: boolean): Int32Array {
  const out = new Int32Array(count);
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  for (let i = 0, at = 0; i < count; i++, at += bytesPerSample) {
    let word: number;
    if (bytesPerSample === 1) word = bytes[at];
    else if (bytesPerSample === 2) word = bigEndian ? (bytes[at] << 8) | bytes[at + 1] : bytes[at] | (bytes[at + 1] << 8);
    else word = bigEndian ? ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0 : (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
    let v = Math.floor(word / 2 ** shift) % (mask + 1);
    if (signed && v >= signBit) v -= 2 * signBit;
    out[i] = v;
  }
  return out;
}

/** Planar (RRR…GGG…BBB…) to interleaved (RGBRGB…). */
function interleave(samples: Int32Array, pixels: number, spp: number): Int32Array {
  const out = new Int32Array(samples.length);
  for (let s = 0; s < spp; s++) for (let p = 0; p < pixels; p++) out[p * spp + s] = samples[s * pixels + p];
  return out;
}

function encapsulatedFrame(ds: DataSet, attrs: DicomImageAttributes): Uint8Array {
  const el = ds.elements.x7fe00010;
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new FileDecodeError('corrupt', 'encapsulated pixel data without fragments');
  try {
    if (attrs.numberOfFrames <= 1) return new Uint8Array(dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length));
    if (el.basicOffsetTable && el.basicOffsetTable.length > 0) return new Uint8Array(dicomParser.readEncapsulatedImageFrame(ds, el, 0));
    if (fragments.length === attrs.numberOfFrames) return new Uint8Array(dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, 1));
    const table = dicomParser.createJPEGBasicOffsetTable(ds, el);
    return new Uint8Array(dicomParser.readEncapsulatedImageFrame(ds, el, 0, table));
  } catch (e) {
    throw new FileDecodeError('corrupt', `encapsulated pixel data could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checkFrameSize(info: { width: number; height: number }, attrs: DicomImageAttributes): void {
  if (info.width !== attrs.columns || info.height !== attrs.rows) {
    throw new FileDecodeError('corrupt', `compressed frame is ${info.width}×${info.height} but the header says ${attrs.columns}×${attrs.rows}`);
  }
}

async function decodeCompressed(encoding: string, frame: Uint8Array, attrs: DicomImageAttributes): Promise<{ bytes: Uint8Array; bytesPerSample: number; spp: number; converted: boolean }> {
  const pixels = attrs.rows * attrs.columns;
  switch (encoding) {
    case 'rle': {
      const bps = attrs.bitsAllocated / 8;
      return { bytes: decodeRleFrame(frame, pixels, bps, attrs.samplesPerPixel), bytesPerSample: bps, spp: attrs.samplesPerPixel, converted: false };
    }
    case 'jpeg-lossless': {
      // The decoder returns whatever size its frame header says; a mismatch with
      // Rows/Columns would otherwise be laid out with the wrong stride.
      checkFrameSize(readJpegHeader(frame), attrs);
      let out: Uint8Array | Uint16Array;
      try {
        out = new JpegLosslessDecoder().decode(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length), 0, frame.length);
      } catch (e) {
        throw new FileDecodeError('corrupt', `JPEG lossless data could not be decoded (${e instanceof Error ? e.message : String(e)})`);
      }
      const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      return { bytes, bytesPerSample: out instanceof Uint16Array ? 2 : 1, spp: attrs.samplesPerPixel, converted: false };
    }
    case 'jpeg-baseline': {
      const h = readJpegHeader(frame);
      if (h.precision !== 8) throw new FileDecodeError('unsupported-transfer-syntax', `${transferSyntaxInfo(attrs.transferSyntaxUid).name} with ${h.precision}-bit samples is not supported (8-bit only)`);
      const { frameInfo, bytes } = await decodeWithCodec('libjpeg-turbo', frame);
      checkFrameSize(frameInfo, attrs);
      return { bytes, bytesPerSample: 1, spp: frameInfo.componentCount, converted: true };
    }
    case 'jpeg-ls':
    case 'jpeg-2000': {
      const { frameInfo, bytes } = await decodeWithCodec(encoding === 'jpeg-ls' ? 'charls' : 'openjpeg', frame);
      checkFrameSize(frameInfo, attrs);
      return { bytes, bytesPerSample: frameInfo.bitsPerSample > 8 ? 2 : 1, spp: frameInfo.componentCount, converted: encoding === 'jpeg-2000' };
    }
    default:
      throw new FileDecodeError('unsupported-transfer-syntax', `no decoder for ${encoding}`);
  }
}

export async function readFirstFrame(ds: DataSet, attrs: DicomImageAttributes): Promise<FrameSamples> {
  const ts = transferSyntaxInfo(attrs.transferSyntaxUid);
  if (ts.encoding === null) throw new FileDecodeError('unsupported-transfer-syntax', `${ts.name} (${attrs.transferSyntaxUid}) is not supported`);
  const { rows, columns, bitsAllocated, samplesPerPixel: spp } = attrs;
  if (![8, 16, 32].includes(bitsAllocated)) throw new FileDecodeError('unsupported-dicom', `Bits Allocated ${bitsAllocated} is not supported`);
  if (attrs.bitsStored < 1 || attrs.bitsStored > bitsAllocated || attrs.highBit < attrs.bitsStored - 1 || attrs.highBit >= bitsAllocated) {
    throw new FileDecodeError('corrupt', `inconsistent Bits Stored ${attrs.bitsStored} / High Bit ${attrs.highBit} / Bits Allocated ${bitsAllocated}`);
  }
  const pixels = rows * columns;
  const signed = attrs.pixelRepresentation === 1;
  const el = ds.elements.x7fe00010;

  if (ts.encoding === 'native-le' || ts.encoding === 'native-be') {
    const bytesPerSample = bitsAllocated / 8;
    const need = pixels * spp * bytesPerSample;
    if (el.encapsulatedPixelData) throw new FileDecodeError('corrupt', 'encapsulated pixel data under an uncompressed transfer syntax');
    if (el.length < need || el.dataOffset + need > ds.byteArray.length) throw new FileDecodeError('truncated', `pixel data holds ${Math.min(el.length, ds.byteArray.length - el.dataOffset)} of ${need} bytes`);
    const bytes = ds.byteArray.subarray(el.dataOffset, el.dataOffset + need) as Uint8Array;
    // 8-bit samples in OW under big endian are byte-swapped in pairs (PS3.5 8.1.1), rare; not handled.
    let samples = unpackSamples(bytes, pixels * spp, bytesPerSample, ts.encoding === 'native-be', attrs.bitsStored, attrs.highBit + 1 - attrs.bitsStored, signed);
    if (spp > 1 && attrs.planarConfiguration === 1) samples = interleave(samples, pixels, spp);
    return { samples, samplesPerPixel: spp, colorConverted: false };
  }

  if (!el.encapsulatedPixelData) throw new FileDecodeError('corrupt', `${ts.name} requires encapsulated pixel data`);
  const decoded = await decodeCompressed(ts.encoding, encapsulatedFrame(ds, attrs), attrs);
  const expected = pixels * decoded.spp * decoded.bytesPerSample;
  if (decoded.bytes.length < expected) throw new FileDecodeError('corrupt', `decoded frame holds ${decoded.bytes.length} of ${expected} bytes`);
  // Codecs return samples right-aligned: mask to Bits Stored and sign-extend, which also
  // normalises codecs that already sign-extended into the 16-bit word.
  const samples = unpackSamples(decoded.bytes, pixels * decoded.spp, decoded.bytesPerSample, false, Math.min(attrs.bitsStored, decoded.bytesPerSample * 8), 0, signed);
  return { samples, samplesPerPixel: decoded.spp, colorConverted: decoded.converted };
}
