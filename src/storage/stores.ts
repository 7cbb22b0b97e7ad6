// The app's stores, one place. Large model files live in OPFS (opfs.ts), not here.
import type { JobRecord } from '../core/jobs';
import type { BackendSettings } from '../core/backends';
import type { StoredModel } from './model-store';
import type { DatasetImage } from '../core/dataset/dataset-record';
import { createRepository } from './repository';

export interface SettingsRecord {
  backends: BackendSettings;
  /** longest side of canonical images (issue: default 512 px) */
  maxImageSide: number;
}

export const defaultSettings: SettingsRecord = { backends: { tfjs: 'auto', ort: 'auto' }, maxImageSide: 512 };

export const stores = {
  /** job records: what ran, how far, what happened (survive reloads) */
  jobs: createRepository<JobRecord>('jobs', (id) => `job ${id}`),
  /** job checkpoints, keyed by job id (written by workers) */
  checkpoints: createRepository<unknown>('checkpoints', (id) => `checkpoint of ${id}`),
  settings: createRepository<SettingsRecord>('settings', () => 'settings'),
  /** image metadata, keyed by SHA-256 of the canonical pixels */
  images: createRepository<unknown>('images', (id) => `image ${id.slice(0, 12)}`),
  /** canonical 8-bit gray pixels, same key as images */
  pixels: createRepository<unknown>('pixels', (id) => `pixels of image ${id.slice(0, 12)}`),
  /** dataset records: sources, tasks, splits, manifests */
  datasets: createRepository<unknown>('datasets', (id) => `dataset ${id}`),
  /** small gray thumbnails for the Data page grid (longest side 64 px), keyed like images */
  thumbs: createRepository<StoredThumbnail>('thumbs', (id) => `thumbnail of image ${id.slice(0, 12)}`),
  /** an image as a member of a dataset (labels, source path), keyed `<datasetId>/<imageId>` */
  datasetImages: createRepository<DatasetImage>('dataset-images', (id) => `dataset image ${id.slice(0, 40)}`),
  /** classifier and synthesis runs */
  runs: createRepository<unknown>('runs', (id) => `run ${id}`),
  reports: createRepository<unknown>('reports', (id) => `report ${id}`),
  /** downloaded/imported models: status and per-file verification (files themselves in OPFS models/<id>/) */
  models: createRepository<StoredModel>('models', (id) => `model record ${id}`),
};

/** Canonical 8-bit gray pixels (stores.pixels) and thumbnails (stores.thumbs). */
export interface StoredGray {
  width: number;
  height: number;
  pixels: Uint8Array;
}
export type StoredThumbnail = StoredGray;

export type StoreName = keyof typeof stores;

export async function loadSettings(): Promise<SettingsRecord> {
  const s = await stores.settings.get('app');
  return { ...defaultSettings, ...s, backends: { ...defaultSettings.backends, ...s?.backends } };
}

export async function saveSettings(s: SettingsRecord): Promise<void> {
  await stores.settings.put('app', s);
}

