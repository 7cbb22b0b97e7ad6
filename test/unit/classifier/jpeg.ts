// Test-only JPEG decoding in Node: the pure-JavaScript (asm.js, no wasm) libjpeg-turbo build that
// the app already depends on through @cornerstonejs/codec-libjpeg-turbo-8bit.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { GrayImage } from '../../../src/ml/classifier/preprocess';

interface JpegDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; componentCount: number };
  getDecodedBuffer(): Uint8Array;
  delete?: () => void;
}
type Codec = { JPEGDecoder: new () => JpegDecoder };

const require = createRequire(import.meta.url);
let codec: Promise<Codec> | null = null;

export async function decodeJpegGray(path: string): Promise<GrayImage> {
  codec ??= (require('@cornerstonejs/codec-libjpeg-turbo-8bit/decode') as () => Promise<Codec>)();
  const { JPEGDecoder } = await codec;
  const decoder = new JPEGDecoder();
  const data = readFileSync(path);
  decoder.getEncodedBuffer(data.length).set(data);
  decoder.decode();
  const { width, height, componentCount } = decoder.getFrameInfo();
  const decoded = decoder.getDecodedBuffer();
  const pixels = new Uint8Array(width * height);
  if (componentCount === 1) pixels.set(decoded.subarray(0, width * height));
  else {
    // Kermany JPEGs are gray images stored as RGB; Rec. 601 luma covers the general case.
    for (let i = 0; i < pixels.length; i++) {
      const r = decoded[3 * i], g = decoded[3 * i + 1], b = decoded[3 * i + 2];
      pixels[i] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  decoder.delete?.();
  return { width, height, pixels };
}
