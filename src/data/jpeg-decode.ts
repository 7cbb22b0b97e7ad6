// JPEG files (not DICOM-encapsulated): header and limits first, then a pluggable pixel
// decoder. Two exist: libjpeg-turbo in wasm (this file; Node and browser, identical
// pixels everywhere) and the browser's own decoder (jpeg-decode.browser.ts).
import { checkJpeg, type JpegHeader } from './jpeg-header';
import { decodeWithCodec } from './codecs';
import { FileDecodeError, type DecodeLimits, type RawImage } from './decode-types';
import type { OriginalImageInfo } from '../core/dataset/types';

/** Decodes a complete, size-checked JPEG to 8-bit gray or RGB(A). */
export type JpegPixelDecoder = (bytes: Uint8Array, header: JpegHeader) => Promise<RawImage>;

export const decodeJpegWithLibjpegTurbo: JpegPixelDecoder = async (bytes, header) => {
  if (header.precision !== 8) throw new FileDecodeError('unsupported-format', `${header.precision}-bit JPEG is not supported (8-bit only)`);
  const { frameInfo, bytes: pixels } = await decodeWithCodec('libjpeg-turbo', bytes);
  const channels = frameInfo.componentCount;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new FileDecodeError('unsupported-format', `JPEG with ${channels} components`);
  if (pixels.length !== frameInfo.width * frameInfo.height * channels) throw new FileDecodeError('corrupt', 'JPEG decoder returned an unexpected amount of data');
  return { width: frameInfo.width, height: frameInfo.height, channels, data: pixels, sampleBits: 8 };
};

export function jpegOriginalInfo(h: JpegHeader): OriginalImageInfo {
  return { format: 'jpeg', width: h.width, height: h.height, bitDepth: h.precision, photometric: h.components === 1 ? 'GRAY' : h.components === 3 ? 'RGB' : `${h.components}-COMPONENT` };
}

export async function decodeJpegBytes(bytes: Uint8Array, limits: DecodeLimits, decodePixels: JpegPixelDecoder): Promise<{ image: RawImage; original: OriginalImageInfo }> {
  const header = checkJpeg(bytes, limits);
  if (header.process === 3 || header.process === 7 || header.process === 11 || header.process === 15) {
    throw new FileDecodeError('unsupported-format', 'lossless JPEG files are only supported inside DICOM');
  }
  const image = await decodePixels(bytes, header);
  return { image, original: jpegOriginalInfo(header) };
}
