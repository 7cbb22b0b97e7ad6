// Datasets in IndexedDB: the API the Data page, the classifier and the synthesis
// workers use (IndexedDB works in workers, so this runs on either side).
//
//   stores.datasets       DatasetRecord, keyed by dataset id
//   stores.datasetImages  DatasetImage (the dataset's labels and paths), `<datasetId>/<imageId>`
//   stores.images         ImageRecord as first imported, keyed by image id (content address)
//   stores.pixels         canonical 8-bit gray pixels, keyed by image id
//   stores.thumbs         64 px thumbnails, keyed by image id
//
// Pixels are shared by every dataset holding the same image; labels are per dataset.
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { DATASET_RECORD_VERSION, memberKey, type DatasetImage, type DatasetRecord } from '../core/dataset/dataset-record';
import { computeDatasetSplits, membersOfSplit } from '../core/dataset/dataset-splits';
import { normaliseLabels, toFinding } from '../core/dataset/findings';
import { applyManifest, buildManifest, exportManifest, importManifest, type ManifestMatch } from '../core/dataset/manifest';
import { assertNoTestImages, type LockedUse } from '../core/dataset/test-lock';
import type { Finding, ImageId, ImageOrigin, ImageRecord, SplitConfig, SplitName, Task } from '../core/dataset/types';
import { DB_PREFIX } from './repository';
import { rethrowStorageError } from './errors';
import { stores, type StoredGray } from './stores';

let membersDb: UseStore | null = null;
/** A second handle on the dataset-images database, for key-range reads idb-keyval lacks. */
const members = () => (membersDb ??= createStore(DB_PREFIX + 'dataset-images', 'dataset-images'));

function isDatasetRecord(x: unknown): x is DatasetRecord {
  return typeof x === 'object' && x !== null && (x as DatasetRecord).version === DATASET_RECORD_VERSION && typeof (x as DatasetRecord).id === 'string';
}

/** Every dataset, newest first. Records of another shape (older versions, foreign keys) are skipped. */
export async function listDatasets(): Promise<DatasetRecord[]> {
  const all = await stores.datasets.entries();
  return all
    .map(([, v]) => v)
    .filter(isDatasetRecord)
    .sort((a, b) => b.createdAt - a.createdAt);
}

export async function getDataset(id: string): Promise<DatasetRecord | undefined> {
  const r = await stores.datasets.get(id);
  return isDatasetRecord(r) ? r : undefined;
}

export async function putDataset(rec: DatasetRecord): Promise<void> {
  await stores.datasets.put(rec.id, { ...rec, updatedAt: Date.now() });
}

async function requireDataset(id: string): Promise<DatasetRecord> {
  const r = await getDataset(id);
  if (!r) throw new Error(`no dataset with id ${id}`);
  return r;
}

/** All members of a dataset in id order (one read transaction over a key range). */
export async function listDatasetImages(datasetId: string): Promise<DatasetImage[]> {
  const range = IDBKeyRange.bound(`${datasetId}/`, `${datasetId}/\uffff`);
  return members()('readonly', (store) => promisifyRequest(store.getAll(range) as IDBRequest<DatasetImage[]>));
}

export async function getDatasetImage(datasetId: string, imageId: ImageId): Promise<DatasetImage | undefined> {
  return stores.datasetImages.get(memberKey(datasetId, imageId));
}

export interface TaskImageRef {
  id: ImageId;
  /** 1 = the task's positive finding, 0 = normal */
  label: 0 | 1;
  labels: Finding[];
  origin: ImageOrigin;
  sourcePath: string;
  width: number;
  height: number;
}

/**
 * The images of one split of one task with their binary labels, sorted by id. Pass
 * `use` when the images feed training, synthesis, thresholds or early stopping: it then
 * throws TestSplitLeakError for the test split, so the lock holds in every worker.
 */
export async function imagesForTask(datasetId: string, taskId: string, split: SplitName, use?: LockedUse): Promise<TaskImageRef[]> {
  const rec = await requireDataset(datasetId);
  const task = rec.tasks.find((t) => t.id === taskId);
  if (!task) throw new Error(`dataset ${rec.name} has no task ${taskId}`);
  const assignment = rec.splits.find((s) => s.taskId === taskId);
  const selected = membersOfSplit(await listDatasetImages(datasetId), task, assignment, split);
  if (use && assignment) assertNoTestImages(selected.map((m) => m.id), assignment, use);
  return selected.map((m) => ({ id: m.id, label: m.label, labels: m.labels, origin: m.origin, sourcePath: m.sourcePath, width: m.width, height: m.height }));
}

/** Canonical 8-bit gray pixels (longest side = the dataset's canonicalMaxSide). */
export async function readCanonicalPixels(id: ImageId): Promise<StoredGray | undefined> {
  return (await stores.pixels.get(id)) as StoredGray | undefined;
}

export async function readThumbnails(ids: ImageId[]): Promise<(StoredGray | undefined)[]> {
  return stores.thumbs.getMany(ids);
}

/** Re-splits every task of the dataset from its current labels (and clears `splitsStale`). */
export async function resplitDataset(datasetId: string, config?: SplitConfig, tasks?: Task[]): Promise<DatasetRecord> {
  const rec = await requireDataset(datasetId);
  const cfg = config ?? rec.splitConfig;
  const useTasks = tasks ?? rec.tasks;
  const ids = new Set(useTasks.map((t) => t.id));
  if (ids.size !== useTasks.length) throw new Error('two tasks have the same id');
  const images = await listDatasetImages(datasetId);
  const next: DatasetRecord = { ...rec, tasks: useTasks, splitConfig: cfg, splits: computeDatasetSplits(images, useTasks, cfg), splitsStale: false };
  await putDataset(next);
  return next;
}

/**
 * Manual relabel of one image in one dataset. The stored splits are kept (so a test image
 * never silently moves into training) and marked stale until the user re-splits.
 */
export async function relabelImage(datasetId: string, imageId: ImageId, labels: string[]): Promise<DatasetImage> {
  const rec = await requireDataset(datasetId);
  const key = memberKey(datasetId, imageId);
  const m = await stores.datasetImages.get(key);
  if (!m) throw new Error(`image ${imageId.slice(0, 12)} is not in dataset ${rec.name}`);
  const next = normaliseLabels(labels.map(toFinding).filter((f) => f !== ''));
  const updated: DatasetImage = { ...m, labels: next, relabelled: m.relabelled ?? { from: m.labels, at: Date.now() } };
  await stores.datasetImages.put(key, updated);
  await putDataset({ ...rec, splitsStale: true });
  return updated;
}

export async function renameDataset(datasetId: string, name: string): Promise<void> {
  const rec = await requireDataset(datasetId);
  await putDataset({ ...rec, name });
}

export async function exportDatasetManifest(datasetId: string): Promise<string> {
  const rec = await requireDataset(datasetId);
  const images = await listDatasetImages(datasetId);
  return exportManifest(
    buildManifest({ name: rec.name, canonicalMaxSide: rec.canonicalMaxSide, images, tasks: rec.tasks, splits: rec.splits, labelMergePolicy: rec.labelMergePolicy }),
  );
}

export interface ManifestApplyReport {
  match: { missing: number; extra: number; matched: number; missingPaths: string[]; extraIds: ImageId[] };
  /** images whose labels in the manifest differ from this dataset's (labels are not changed) */
  labelDifferences: { id: ImageId; manifest: Finding[]; dataset: Finding[] }[];
  canonicalMaxSideMismatch: { manifest: number; dataset: number } | null;
  tasks: number;
}

/**
 * Applies a manifest's tasks and splits (restricted to the images present) to a dataset.
 * Throws ManifestError for an invalid manifest; nothing is written then.
 */
export async function applyManifestToDataset(datasetId: string, json: string): Promise<ManifestApplyReport> {
  const rec = await requireDataset(datasetId);
  const m = importManifest(json);
  const images = await listDatasetImages(datasetId);
  const { match, splits } = applyManifest(m, images.map((i) => i.id));
  const byId = new Map(images.map((i) => [i.id, i]));
  const labelDifferences: ManifestApplyReport['labelDifferences'] = [];
  for (const mi of m.images) {
    const own = byId.get(mi.id);
    if (own && own.labels.join('|') !== [...mi.labels].sort().join('|')) labelDifferences.push({ id: mi.id, manifest: mi.labels, dataset: own.labels });
  }
  const first = m.splits[0];
  const config: SplitConfig = first ? { seed: first.seed, fractions: first.fractions, keepOfficialTest: first.officialTestKept } : rec.splitConfig;
  await putDataset({ ...rec, tasks: m.tasks, splits, splitConfig: config, labelMergePolicy: m.labelMergePolicy ?? rec.labelMergePolicy, splitsStale: false });
  return {
    match: summariseMatch(match),
    labelDifferences,
    canonicalMaxSideMismatch: m.canonicalMaxSide === rec.canonicalMaxSide ? null : { manifest: m.canonicalMaxSide, dataset: rec.canonicalMaxSide },
    tasks: m.tasks.length,
  };
}

function summariseMatch(match: ManifestMatch): ManifestApplyReport['match'] {
  return {
    missing: match.missing.length,
    extra: match.extra.length,
    matched: match.matched.length,
    missingPaths: match.missing.map((i) => i.sourcePath),
    extraIds: match.extra,
  };
}

/**
 * Deletes a dataset, its members and its import checkpoints; pixels, thumbnails and image
 * records are deleted only when no other dataset holds the image.
 */
export async function deleteDataset(datasetId: string): Promise<void> {
  const own = await listDatasetImages(datasetId);
  const others = (await listDatasets()).filter((d) => d.id !== datasetId);
  const stillUsed = new Set<ImageId>();
  for (const d of others) for (const m of await listDatasetImages(d.id)) stillUsed.add(m.id);
  const orphaned = own.map((m) => m.id).filter((id) => !stillUsed.has(id));
  try {
    await stores.datasets.delete(datasetId);
    await stores.datasetImages.deleteMany(own.map((m) => memberKey(datasetId, m.id)));
    await stores.images.deleteMany(orphaned);
    await stores.thumbs.deleteMany(orphaned);
    await stores.pixels.deleteMany(orphaned);
    const ckpt = (await stores.checkpoints.keys()).filter((k) => k.startsWith(`import:${datasetId}:`) || k === `import-tables:${datasetId}`);
    await stores.checkpoints.deleteMany(ckpt);
  } catch (e) {
    rethrowStorageError(e, `the deletion of dataset ${datasetId}`);
  }
}

/**
 * Stores content-addressed images outside an import (synthesis output): pixels, then
 * thumbnails, then records, in the import writer's order, so a crash between the writes
 * leaves at worst pixels without a record (rewritten by a retry), never a record without
 * pixels. Pixels and thumbnails of ids already stored are not rewritten; records are
 * written as given (a synthetic image's record carries its review status).
 */
export async function storeImageContent(items: { record: ImageRecord; pixels: StoredGray; thumb: StoredGray }[]): Promise<void> {
  if (items.length === 0) return;
  const present = await stores.pixels.getMany(items.map((i) => i.record.id));
  const fresh = items.filter((_, k) => present[k] === undefined);
  if (fresh.length > 0) {
    await stores.pixels.putMany(fresh.map((f) => [f.record.id, f.pixels]));
    await stores.thumbs.putMany(fresh.map((f) => [f.record.id, f.thumb]));
  }
  await stores.images.putMany(items.map((i) => [i.record.id, i.record]));
}
