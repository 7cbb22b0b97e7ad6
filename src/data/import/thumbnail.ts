// Grid thumbnails: the canonical image box-filtered down to THUMB_SIDE on its longest
// side. Small enough that 10,000 of them are ~40 MB and a screenful loads in one read.
import { canonicalSize, resizeArea } from '../canonicalise';
import type { Gray8Image } from '../decode-types';

export const THUMB_SIDE = 64;

export function makeThumbnail(img: Gray8Image, side = THUMB_SIDE): Gray8Image {
  const s = canonicalSize(img.width, img.height, side);
  const t = resizeArea(img, s.width, s.height);
  // resizeArea returns its input when no resize is needed; copy so the thumbnail never
  // shares a buffer with the pixels stored next to it.
  return t === img ? { width: t.width, height: t.height, pixels: t.pixels.slice() } : t;
}
