// The reference the import benchmark compares against: the same files read and decoded
// (decodeFile: decode, gray, resize, hash) one after another, nothing stored.
import { DEFAULT_DECODE_OPTIONS, decodeFile } from '../decode-file';
import { HeapSampler } from './heap';
import type { ImportFileInput } from './import-types';

export interface DecodeRate {
  files: number;
  decoded: number;
  seconds: number;
  imagesPerSecond: number;
  peakHeapBytes: number | null;
}

export async function decodeRate(files: readonly ImportFileInput[], maxImageSide = DEFAULT_DECODE_OPTIONS.maxSide): Promise<DecodeRate> {
  const heap = new HeapSampler();
  const t0 = performance.now();
  let decoded = 0;
  for (const f of files) {
    const bytes = new Uint8Array(await f.file.arrayBuffer());
    const r = await decodeFile(f.path, bytes, { ...DEFAULT_DECODE_OPTIONS, maxSide: maxImageSide, groupSalt: 'bench' });
    if (r.ok) decoded++;
    heap.sample();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { files: files.length, decoded, seconds, imagesPerSecond: decoded / seconds, peakHeapBytes: heap.peak };
}
