// Browser only (window or worker): JPEG pixels through createImageBitmap + OffscreenCanvas,
// the browser's own (fast, hardware-assisted) decoder. Pixels can differ slightly between
// browsers (IDCT and upsampling choices), so content hashes of JPEG-sourced images are
// only stable within one browser engine; decodeJpegWithLibjpegTurbo is the portable choice.
import { FileDecodeError, type RawImage } from './decode-types';
import type { JpegPixelDecoder } from './jpeg-decode';

export const decodeJpegWithBrowser: JpegPixelDecoder = async (bytes, header) => {
  if (header.precision !== 8) throw new FileDecodeError('unsupported-format', `${header.precision}-bit JPEG is not supported by the browser decoder`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), {
      // Raw pixels: no ICC conversion, no premultiplication, so values match the file.
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      imageOrientation: 'from-image',
    });
  } catch (e) {
    throw new FileDecodeError('corrupt', `the browser could not decode the JPEG (${(e as Error).message})`);
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2d context on OffscreenCanvas');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const image: RawImage = { width: bitmap.width, height: bitmap.height, channels: 4, data: rgba, sampleBits: 8 };
    return image;
  } finally {
    bitmap.close();
  }
};
