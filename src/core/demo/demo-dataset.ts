// The built-in demo dataset: procedural radiographs with labels, synthetic patient ids
// and provenance, so a first-time user can run the whole workflow without any file.
// Every record is origin 'synthetic-demo'.
import { deriveSeed } from '../random';
import { canonicalImageId } from '../dataset/image-id';
import { NORMAL, type ImageRecord } from '../dataset/types';
import { generatePhantom, type PhantomImage } from './chest-phantom';

export const DEMO_GENERATOR = 'demo-phantom@1';

export interface DemoDatasetParams {
  /** total number of images */
  count: number;
  /** image side in pixels (default 256) */
  size?: number;
  /** positives per normal, e.g. 1 (balanced) or 0.1 (VinDr-like, 10 normals per positive) */
  classRatio: number;
  seed: number;
  opacityExtent?: number;
  opacityContrast?: number;
  /** images per synthetic patient (default 1); >1 exercises patient-grouped splits */
  imagesPerPatient?: number;
  /** finding name of the positives (default 'pneumonia') */
  positiveFinding?: string;
}

export interface DemoImage {
  record: ImageRecord;
  image: PhantomImage;
}

/** Number of positives for `count` images at `ratio` positives per normal. */
export function demoPositiveCount(count: number, ratio: number): number {
  if (!(ratio >= 0) || !Number.isFinite(ratio)) throw new RangeError(`classRatio must be a finite number >= 0, got ${ratio}`);
  return Math.round((count * ratio) / (1 + ratio));
}

/**
 * Generates the demo set lazily (one image at a time, so a job can report progress and
 * store as it goes). Positives are spread evenly through the sequence; each image's seed
 * is derived from the dataset seed and its index.
 */
export async function* generateDemoDataset(p: DemoDatasetParams, now: () => number = Date.now): AsyncGenerator<DemoImage> {
  const size = p.size ?? 256;
  const perPatient = Math.max(1, Math.floor(p.imagesPerPatient ?? 1));
  const positives = demoPositiveCount(p.count, p.classRatio);
  const finding = p.positiveFinding ?? 'pneumonia';
  for (let i = 0; i < p.count; i++) {
    // Bresenham-style spreading: image i is positive when the running quota steps up.
    const positive = Math.floor(((i + 1) * positives) / p.count) > Math.floor((i * positives) / p.count);
    const seed = deriveSeed(p.seed, i);
    const params = { size, seed, positive, opacityExtent: p.opacityExtent, opacityContrast: p.opacityContrast };
    const image = generatePhantom(params);
    const id = await canonicalImageId(image.width, image.height, image.pixels);
    const patient = Math.floor(i / perPatient);
    yield {
      image,
      record: {
        id,
        width: image.width,
        height: image.height,
        sourcePath: `demo/${positive ? finding : NORMAL}/demo-${String(i).padStart(5, '0')}.png`,
        origin: 'synthetic-demo',
        labels: [positive ? finding : NORMAL],
        // Synthetic patients are not secret, but group ids keep the same shape as real ones.
        patientGroup: `demo-patient-${p.seed}-${patient}`,
        original: { format: 'generated', width: size, height: size, bitDepth: 8, photometric: 'MONOCHROME2' },
        importedAt: now(),
        provenance: { generator: DEMO_GENERATOR, seed, params: { ...params } },
      },
    };
  }
}
