// Format detection from magic bytes, never from the extension: DICOM files often have
// none, and PACS exports name things freely.

export type SniffedFormat = 'png' | 'jpeg' | 'dicom' | 'dicom-raw' | 'zip' | 'other-image' | 'unknown';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x44, 0x49, 0x43, 0x4d], 128)) return 'dicom';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (
    startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) || // GIF
    startsWith(bytes, [0x42, 0x4d]) || // BMP
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || // TIFF LE
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) || // TIFF BE
    (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) // WebP
  ) {
    return 'other-image';
  }
  // A DICOM data set without the Part 10 preamble (old exports): it starts with a
  // little-endian tag of group 0008 (identifying) and a small element number.
  if (bytes.length >= 8 && bytes[0] === 0x08 && bytes[1] === 0x00 && bytes[3] === 0x00) return 'dicom-raw';
  return 'unknown';
}
