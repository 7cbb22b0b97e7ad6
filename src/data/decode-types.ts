// Shapes passed between the decoders and canonicalisation. Decoders return either pixels
// or a typed per-file error; they never throw for bad input (see decode-file.ts).
import type { OriginalImageInfo } from '../core/dataset/types';
import type { ImportErrorReason } from '../core/dataset/dataset-record';

/** Decoded pixels before canonicalisation, interleaved channels, row-major. */
export interface RawImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
  channels: 1 | 2 | 3 | 4;
  /** samples; Uint16Array for 16-bit PNG, else 8-bit */
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
  /** bits per sample of `data`: 8 or 16 */
  sampleBits: 8 | 16;
}

/** An 8-bit grayscale image (the app's canonical pixel format). */
export interface Gray8Image {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** What a decoder can report: every import error reason except 'unreadable' (the File itself could not be read). */
export type FileErrorReason = Exclude<ImportErrorReason, 'unreadable'>;

export interface FileError {
  path: string;
  reason: FileErrorReason;
  /** human-readable detail, e.g. the transfer syntax's name or the declared size */
  message: string;
}

/** What a decoder knows about the file besides its pixels. */
export interface DecodedMeta {
  original: OriginalImageInfo;
  /**
   * `patient:<PatientID>` or `study:<StudyInstanceUID>` for DICOM, to be hashed with the
   * dataset's salt right away and then dropped; never stored.
   */
  groupIdentifier: string | null;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: FileError };

/** Thrown inside decoders, turned into a FileError at the boundary. */
export class FileDecodeError extends Error {
  constructor(
    readonly reason: FileErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'FileDecodeError';
  }
}

export interface DecodeLimits {
  /** longest side in pixels a source image may declare */
  maxSide: number;
  /** width × height a source image may declare */
  maxPixels: number;
  /** file size in bytes */
  maxFileBytes: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxSide: 16384,
  maxPixels: 100_000_000,
  maxFileBytes: 1024 * 1024 * 1024,
};

/** Checks a declared size before anything is allocated for it. */
export function checkDeclaredSize(width: number, height: number, limits: DecodeLimits, what: string): void {
  if (!(width > 0 && height > 0)) throw new FileDecodeError('corrupt', `${what} declares an empty image (${width}×${height})`);
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new FileDecodeError(
      'too-large',
      `${what} declares ${width}×${height} px (${((width * height) / 1e6).toFixed(1)} Mpx); limits are ${limits.maxSide} px per side and ${(limits.maxPixels / 1e6).toFixed(0)} Mpx`,
    );
  }
}
