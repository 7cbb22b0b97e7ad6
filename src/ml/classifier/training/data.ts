// Training input: labelled image ids and a pixel reader, independent of where the images live
// (the worker passes storage/dataset-repo readers; tests may pass anything with this shape).
import type { GrayImage } from '../preprocess';
import { sha256Hex } from './weights-source';

export interface LabeledImage {
  id: string;
  /** 1 = the task's positive finding, 0 = normal */
  label: 0 | 1;
  /** synthetic images are flagged at every step (augmented arm) */
  synthetic?: boolean;
}

export type PixelReader = (id: string) => Promise<GrayImage>;

export interface TrainingSets {
  train: LabeledImage[];
  val: LabeledImage[];
  test: LabeledImage[];
}

/** SHA-256 over the sorted `split id label synthetic` lines: identifies exactly which data a run saw. */
export async function manifestHash(sets: TrainingSets): Promise<string> {
  const lines: string[] = [];
  for (const split of ['train', 'val', 'test'] as const) {
    for (const x of sets[split]) lines.push(`${split} ${x.id} ${x.label}${x.synthetic ? ' synthetic' : ''}`);
  }
  lines.sort();
  return sha256Hex([lines.join('\n')]);
}

export function classCounts(items: readonly LabeledImage[]): { positive: number; negative: number } {
  let positive = 0;
  for (const x of items) positive += x.label;
  return { positive, negative: items.length - positive };
}

/**
 * Reads batches of pixels with one batch of read-ahead, so IndexedDB reads overlap compute
 * while at most two batches of pixels are held in memory.
 */
export async function* pixelBatches(
  items: readonly LabeledImage[],
  batchSize: number,
  read: PixelReader,
): AsyncGenerator<{ items: LabeledImage[]; images: GrayImage[] }> {
  const load = (start: number) => {
    const slice = items.slice(start, start + batchSize);
    return Promise.all(slice.map((x) => read(x.id))).then((images) => ({ items: slice, images }));
  };
  let next = items.length ? load(0) : null;
  for (let start = 0; next; start += batchSize) {
    const current = await next;
    next = start + batchSize < items.length ? load(start + batchSize) : null;
    // A read-ahead that fails after the consumer stopped must not become an unhandled rejection.
    next?.catch(() => undefined);
    yield current;
  }
}
