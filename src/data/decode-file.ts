// One file in, one canonical image or one typed error out. This is the import worker's
// per-file step; it never throws for bad input, so one broken file cannot stop an import.
import { patientGroupHash } from '../core/dataset/image-id';
import type { OriginalImageInfo } from '../core/dataset/types';
import { canonicalise, DEFAULT_CANONICAL_MAX_SIDE, type CanonicalImage } from './canonicalise';
import { DEFAULT_DECODE_LIMITS, FileDecodeError, type DecodeLimits, type DecodeResult, type FileError } from './decode-types';
import { decodeDicomBytes } from './dicom/decode-dicom';
import { decodeJpegBytes, decodeJpegWithLibjpegTurbo, type JpegPixelDecoder } from './jpeg-decode';
import { decodePngBytes } from './png-decode';
import { sniffFormat } from './sniff';

export interface DecodeOptions {
  limits: DecodeLimits;
  /** longest side of the canonical image */
  maxSide: number;
  /** libjpeg-turbo (portable, default) or the browser's decoder (jpeg-decode.browser.ts) */
  jpegDecoder: JpegPixelDecoder;
  /** per-dataset salt for patient group hashes */
  groupSalt: string;
}

export const DEFAULT_DECODE_OPTIONS: Omit<DecodeOptions, 'groupSalt'> = {
  limits: DEFAULT_DECODE_LIMITS,
  maxSide: DEFAULT_CANONICAL_MAX_SIDE,
  jpegDecoder: decodeJpegWithLibjpegTurbo,
};

export interface DecodedFile {
  path: string;
  image: CanonicalImage;
  original: OriginalImageInfo;
  /** salted hash of the DICOM Patient ID (or Study UID); null for PNG/JPEG */
  patientGroup: string | null;
  /** bytes of the source file */
  byteLength: number;
}

/** Size check before reading a File into memory. */
export function checkFileSize(path: string, size: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): FileError | null {
  if (size === 0) return { path, reason: 'empty', message: 'the file is empty' };
  if (size > limits.maxFileBytes) return { path, reason: 'too-large', message: `the file is ${(size / 2 ** 20).toFixed(0)} MiB; the limit is ${(limits.maxFileBytes / 2 ** 20).toFixed(0)} MiB` };
  return null;
}

export function toFileError(path: string, e: unknown): FileError {
  if (e instanceof FileDecodeError) return { path, reason: e.reason, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  // A failed allocation means the image was too big for this device even within limits.
  if (e instanceof RangeError && /alloc|memory|invalid (typed )?array length/i.test(message)) return { path, reason: 'too-large', message: `out of memory while decoding: ${message}` };
  return { path, reason: 'corrupt', message };
}

export async function decodeFile(path: string, bytes: Uint8Array, options: DecodeOptions): Promise<DecodeResult<DecodedFile>> {
  const sizeError = checkFileSize(path, bytes.length, options.limits);
  if (sizeError) return { ok: false, error: sizeError };
  try {
    const format = sniffFormat(bytes);
    let gray;
    let original: OriginalImageInfo;
    let groupIdentifier: string | null = null;
    switch (format) {
      case 'png': {
        const r = decodePngBytes(bytes, options.limits);
        gray = r.image;
        original = r.original;
        break;
      }
      case 'jpeg': {
        const r = await decodeJpegBytes(bytes, options.limits, options.jpegDecoder);
        gray = r.image;
        original = r.original;
        break;
      }
      case 'dicom':
      case 'dicom-raw': {
        const r = await decodeDicomBytes(bytes, options.limits, format === 'dicom');
        gray = r.image;
        original = r.meta.original;
        groupIdentifier = r.meta.groupIdentifier;
        break;
      }
      case 'zip':
        throw new FileDecodeError('unsupported-format', 'a zip archive inside the import; open it as its own source');
      case 'other-image':
        throw new FileDecodeError('unsupported-format', 'image format not supported (PNG, JPEG and DICOM are)');
      default:
        throw new FileDecodeError('not-an-image', 'not a PNG, JPEG or DICOM file');
    }
    const image = await canonicalise(gray, options.maxSide);
    const patientGroup = groupIdentifier === null ? null : await patientGroupHash(groupIdentifier, options.groupSalt);
    return { ok: true, value: { path, image, original, patientGroup, byteLength: bytes.length } };
  } catch (e) {
    return { ok: false, error: toFileError(path, e) };
  }
}

/**
 * A fresh per-dataset salt for patient group hashes. A salt must be unpredictable, so
 * this uses WebCrypto's CSPRNG, not the app's seeded RNG (which is for reproducible
 * experiments, and would make the hashes guessable).
 */
export function newGroupSalt(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
