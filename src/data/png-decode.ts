// PNG: chunk structure and IHDR size are checked before fast-png inflates anything, so a
// header claiming 30000×30000 is rejected without allocating, and a cut-off file is
// reported as truncated rather than as a zlib error.
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { checkDeclaredSize, FileDecodeError, type DecodeLimits, type RawImage } from './decode-types';
import type { OriginalImageInfo } from '../core/dataset/types';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

const COLOR_TYPE_NAMES: Record<number, string> = { 0: 'GRAY', 2: 'RGB', 3: 'PALETTE', 4: 'GRAY_ALPHA', 6: 'RGBA' };

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function chunkType(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 33) throw new FileDecodeError('truncated', `PNG ends after ${bytes.length} bytes, inside its header`);
  if (chunkType(bytes, 12) !== 'IHDR' || u32(bytes, 8) !== 13) throw new FileDecodeError('corrupt', 'PNG does not start with an IHDR chunk');
  const header = { width: u32(bytes, 16), height: u32(bytes, 20), bitDepth: bytes[24], colorType: bytes[25] };
  if (!(header.colorType in COLOR_TYPE_NAMES)) throw new FileDecodeError('corrupt', `PNG has an invalid color type ${header.colorType}`);
  if (![1, 2, 4, 8, 16].includes(header.bitDepth)) throw new FileDecodeError('corrupt', `PNG has an invalid bit depth ${header.bitDepth}`);
  return header;
}

/** Walks the chunk list: every chunk must fit in the file and IEND must be reached. */
export function checkPngChunks(bytes: Uint8Array): void {
  let at = 8;
  while (at + 8 <= bytes.length) {
    const length = u32(bytes, at);
    const type = chunkType(bytes, at + 4);
    const end = at + 12 + length;
    if (end > bytes.length) throw new FileDecodeError('truncated', `PNG chunk ${type} at byte ${at} runs past the end of the file`);
    if (type === 'IEND') return;
    at = end;
  }
  throw new FileDecodeError('truncated', 'PNG ends before its IEND chunk');
}

export function pngOriginalInfo(h: PngHeader): OriginalImageInfo {
  return { format: 'png', width: h.width, height: h.height, bitDepth: h.bitDepth, photometric: COLOR_TYPE_NAMES[h.colorType] };
}

/** Low bit depths (1, 2, 4) come packed per row; unpack and stretch to 0..255. */
function unpackLowDepth(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const scale = 255 / max;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)];
      const v = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round(v * scale);
    }
  }
  return out;
}

export function decodePngBytes(bytes: Uint8Array, limits: DecodeLimits): { image: RawImage; original: OriginalImageInfo } {
  const header = readPngHeader(bytes);
  checkDeclaredSize(header.width, header.height, limits, 'PNG header');
  checkPngChunks(bytes);
  let png;
  try {
    png = decodePng(bytes, { checkCrc: true });
  } catch (e) {
    throw new FileDecodeError('corrupt', `PNG data is corrupt: ${(e as Error).message}`);
  }
  const { width, height } = png;
  let image: RawImage;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / (width * height);
    if (channels !== 3 && channels !== 4) throw new FileDecodeError('corrupt', 'PNG palette has an unexpected number of channels');
    image = { width, height, channels, data: rgb, sampleBits: 8 };
  } else if (png.depth < 8) {
    if (png.channels !== 1) throw new FileDecodeError('corrupt', `PNG with ${png.channels} channels at bit depth ${png.depth}`);
    image = { width, height, channels: 1, data: unpackLowDepth(png.data as Uint8Array, width, height, png.depth), sampleBits: 8 };
  } else {
    image = { width, height, channels: png.channels as RawImage['channels'], data: png.data, sampleBits: png.depth === 16 ? 16 : 8 };
  }
  return { image, original: pngOriginalInfo(header) };
}
