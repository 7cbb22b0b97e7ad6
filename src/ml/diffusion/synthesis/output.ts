// Generated pixels → the app's canonical stored form. The model works at its own resolution
// (64 px for the test fixture, 512 for SD-1.5) on a centred crop of the source; the output
// is resized back to that crop's size in the source's canonical pixels, so synthetic and
// real images reach the classifier at the same pixel scale, then canonicalised exactly as
// imported images are (8-bit gray, longest side capped, SHA-256 id) with a grid thumbnail.
import { canonicalise, resizeArea, type CanonicalImage } from '../../../data/canonicalise';
import type { Gray8Image } from '../../../data/decode-types';
import { makeThumbnail } from '../../../data/import/thumbnail';
import { centerCropBox } from '../pipeline/image-io';

export interface CanonicalSynthetic {
  canonical: CanonicalImage;
  thumb: Gray8Image;
}

export async function canonicalSynthetic(output: Gray8Image, source: { width: number; height: number }, maxSide: number): Promise<CanonicalSynthetic> {
  const box = centerCropBox(source.width, source.height, output.width, output.height);
  const resized = resizeArea(output, box.w, box.h);
  const canonical = await canonicalise(resized, maxSide);
  return { canonical, thumb: makeThumbnail(canonical) };
}
