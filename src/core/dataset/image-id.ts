// Content address of a canonical image: SHA-256 over a 9-byte header ("GRAY8" is implied
// by the version byte) followed by the pixels:
//   [version=1][width u32 BE][height u32 BE][width*height gray bytes, row-major]
// Including the size keeps a 10×20 and a 20×10 image with equal bytes apart.
// WebCrypto's digest exists in browsers, workers and Node >= 20, so this stays pure.
import type { ImageId } from './types';

const HASH_VERSION = 1;

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  const bytes = new Uint8Array(digest);
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export async function canonicalImageId(width: number, height: number, pixels: Uint8Array): Promise<ImageId> {
  if (pixels.length !== width * height) throw new RangeError(`pixels has ${pixels.length} bytes, expected ${width}×${height}`);
  const buf = new Uint8Array(9 + pixels.length);
  const view = new DataView(buf.buffer);
  view.setUint8(0, HASH_VERSION);
  view.setUint32(1, width, false);
  view.setUint32(5, height, false);
  buf.set(pixels, 9);
  return sha256Hex(buf);
}

/**
 * Salted hash of a patient/study identifier: the identifier itself is never stored.
 * The salt is per dataset so group hashes cannot be joined across datasets.
 */
export async function patientGroupHash(identifier: string, salt: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(`${salt}\u0000${identifier.trim()}`));
}
