// DICOM file → 8-bit gray plus what the importer keeps about the original.
import { checkDeclaredSize, FileDecodeError, type DecodeLimits, type DecodedMeta, type Gray8Image } from '../decode-types';
import { parseDicomBytes, readImageAttributes, type DicomImageAttributes } from './attributes';
import { readFirstFrame, type FrameSamples } from './frame';
import { renderGray8 } from './voi';

const GRAY = new Set(['MONOCHROME1', 'MONOCHROME2']);
const COLOR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT', 'YBR_PARTIAL_420']);

/** Colour DICOM (secondary captures): luminance, scaled from Bits Stored to 8 bits. */
function colorToGray8(frame: FrameSamples, attrs: DicomImageAttributes): Uint8Array {
  const pixels = attrs.rows * attrs.columns;
  const out = new Uint8Array(pixels);
  const max = 2 ** Math.min(attrs.bitsStored, 16) - 1;
  const to8 = (v: number) => Math.min(255, Math.max(0, Math.round((v * 255) / max)));
  // Native YBR_FULL keeps luminance in its first sample; codecs hand back RGB.
  const lumaIsFirst = !frame.colorConverted && attrs.photometric.startsWith('YBR');
  const s = frame.samples;
  for (let p = 0, j = 0; p < pixels; p++, j += frame.samplesPerPixel) {
    if (lumaIsFirst) out[p] = to8(s[j]);
    else {
      const r = to8(s[j]), g = to8(s[j + 1]), b = to8(s[j + 2]);
      out[p] = r === g && g === b ? r : (19595 * r + 38470 * g + 7471 * b + 32768) >>> 16;
    }
  }
  return out;
}

export interface DecodedDicom {
  image: Gray8Image;
  meta: DecodedMeta;
  attributes: DicomImageAttributes;
}

export async function decodeDicomBytes(bytes: Uint8Array, limits: DecodeLimits, hasPreamble = true): Promise<DecodedDicom> {
  const ds = parseDicomBytes(bytes, hasPreamble);
  const transferSyntaxUid = (ds.string('x00020010') ?? '1.2.840.10008.1.2').replace(/\0/g, '').trim();
  const attrs = readImageAttributes(ds, transferSyntaxUid);
  checkDeclaredSize(attrs.columns, attrs.rows, limits, 'DICOM header');
  const isGray = GRAY.has(attrs.photometric);
  if (!isGray && !COLOR.has(attrs.photometric)) throw new FileDecodeError('unsupported-dicom', `Photometric Interpretation ${attrs.photometric} is not supported`);
  if (isGray && attrs.samplesPerPixel !== 1) throw new FileDecodeError('corrupt', `${attrs.photometric} with ${attrs.samplesPerPixel} samples per pixel`);
  const frame = await readFirstFrame(ds, attrs);
  let pixels: Uint8Array;
  if (frame.samplesPerPixel === 1) {
    pixels = renderGray8(frame.samples, attrs);
  } else if (frame.samplesPerPixel === 3) {
    pixels = colorToGray8(frame, attrs);
  } else {
    throw new FileDecodeError('unsupported-dicom', `${frame.samplesPerPixel} samples per pixel`);
  }
  return {
    image: { width: attrs.columns, height: attrs.rows, pixels },
    attributes: attrs,
    meta: {
      original: {
        format: 'dicom',
        width: attrs.columns,
        height: attrs.rows,
        bitDepth: attrs.bitsStored,
        photometric: attrs.photometric,
        ...(attrs.modality ? { modality: attrs.modality } : {}),
        transferSyntaxUid,
      },
      groupIdentifier: attrs.groupIdentifier,
    },
  };
}
