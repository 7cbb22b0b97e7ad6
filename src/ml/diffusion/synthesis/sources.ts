// Source images of a synthesis run: NORMAL images of the task's TRAINING split only. The
// test lock (core/dataset/test-lock.ts) is applied twice: imagesForTask refuses to hand out
// test images for 'synthesis-source', and explicitly requested ids are checked against the
// task's stored split, so a test id passed through the API fails with TestSplitLeakError
// before anything is generated.
import { assertNoTestImages } from '../../../core/dataset/test-lock';
import type { ImageId } from '../../../core/dataset/types';
import { createRng, deriveSeed, shuffleInPlace } from '../../../core/random';
import { getDataset, imagesForTask } from '../../../storage/dataset-repo';

/** Seed stream of the source choice (per-image generation seeds use streams 0..n-1). */
const SOURCE_CHOICE_STREAM = 0x51_0c_e5;

export async function chooseSynthesisSources(datasetId: string, taskId: string, count: number, seed: number, explicit?: ImageId[]): Promise<ImageId[]> {
  const dataset = await getDataset(datasetId);
  if (!dataset) throw new Error(`no dataset ${datasetId}`);
  const task = dataset.tasks.find((t) => t.id === taskId);
  if (!task) throw new Error(`dataset ${dataset.name} has no task ${taskId}`);
  const split = dataset.splits.find((s) => s.taskId === taskId);
  if (!split) throw new Error(`task ${task.name} has no split yet: split it on the Data page first (synthesis sources must come from the training split)`);
  if (dataset.splitsStale) throw new Error(`the splits of ${dataset.name} are stale after a relabel; re-split on the Data page first`);
  if (explicit) assertNoTestImages(explicit, split, 'synthesis-source');
  const train = await imagesForTask(datasetId, taskId, 'train', 'synthesis-source');
  const normals = train.filter((x) => x.label === 0 && x.origin !== 'synthetic').map((x) => x.id);
  if (explicit) {
    const allowed = new Set(normals);
    const bad = explicit.filter((id) => !allowed.has(id));
    if (bad.length) throw new Error(`${bad.length} requested source image(s) are not NORMAL training images of task ${task.name} (${bad.slice(0, 3).map((id) => id.slice(0, 12)).join(', ')})`);
    return [...explicit];
  }
  if (normals.length === 0) throw new Error(`task ${task.name} has no NORMAL training images to synthesize from`);
  if (count > normals.length) throw new Error(`asked for ${count} source images but task ${task.name} has only ${normals.length} NORMAL training images`);
  // imagesForTask sorts by id, so the same seed picks the same images on every machine.
  return shuffleInPlace(normals, createRng(deriveSeed(seed, SOURCE_CHOICE_STREAM))).slice(0, count);
}
