// JPEG marker walk up to the frame header (SOFn) to learn the size and precision before
// decoding, and a check that the entropy-coded data reaches an EOI marker: browsers
// render truncated JPEGs as partly grey images without any error.
import { checkDeclaredSize, FileDecodeError, type DecodeLimits } from './decode-types';

export interface JpegHeader {
  width: number;
  height: number;
  /** sample precision: 8 (baseline/extended), 12 or 16 (lossless) */
  precision: number;
  components: number;
  /** SOF marker number 0..15 (0 baseline, 1 extended, 2 progressive, 3 lossless, …) */
  process: number;
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new FileDecodeError('corrupt', 'not a JPEG stream (no SOI marker)');
  let at = 2;
  for (;;) {
    // Markers may be preceded by fill bytes 0xFF.
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++;
    if (at + 4 > bytes.length) throw new FileDecodeError('truncated', 'JPEG ends before its frame header');
    if (bytes[at] !== 0xff) throw new FileDecodeError('corrupt', `JPEG marker expected at byte ${at}`);
    const marker = bytes[at + 1];
    if (marker === 0xd9 || marker === 0xda) throw new FileDecodeError('corrupt', 'JPEG has no frame header before its scan');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (length < 2) throw new FileDecodeError('corrupt', `JPEG segment with invalid length at byte ${at}`);
    if (SOF_MARKERS.has(marker)) {
      if (at + 10 > bytes.length) throw new FileDecodeError('truncated', 'JPEG ends inside its frame header');
      return {
        precision: bytes[at + 4],
        height: (bytes[at + 5] << 8) | bytes[at + 6],
        width: (bytes[at + 7] << 8) | bytes[at + 8],
        components: bytes[at + 9],
        process: marker - 0xc0,
      };
    }
    at += 2 + length;
  }
}

/** Byte offset of the first SOS marker, walking segments (an EXIF thumbnail holds its own). */
function firstScanOffset(bytes: Uint8Array): number {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return -1;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xda) return at;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  return -1;
}

/** True when an EOI marker follows the first scan (0xFFD9 cannot occur inside entropy-coded data). */
export function jpegHasEnd(bytes: Uint8Array): boolean {
  const sos = firstScanOffset(bytes);
  if (sos < 0) return false;
  for (let i = bytes.length - 2; i > sos; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

/** Header, size limits and completeness, in that order; throws FileDecodeError. */
export function checkJpeg(bytes: Uint8Array, limits: DecodeLimits): JpegHeader {
  const header = readJpegHeader(bytes);
  if (header.height === 0) throw new FileDecodeError('unsupported-format', 'JPEG with the height given later in a DNL marker is not supported');
  checkDeclaredSize(header.width, header.height, limits, 'JPEG header');
  if (!jpegHasEnd(bytes)) throw new FileDecodeError('truncated', 'JPEG ends before its EOI marker');
  return header;
}
