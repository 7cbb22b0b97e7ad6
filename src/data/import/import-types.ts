// What the UI hands the data worker to import, and what comes back. Files cross the
// thread boundary as File objects (structured-cloned handles, not bytes): the worker
// reads each one only when it is its turn.
import type { DemoDatasetParams } from '../../core/demo/demo-dataset';
import type { ImportReport } from '../../core/dataset/dataset-record';
import type { LabelMergePolicy, SplitConfig } from '../../core/dataset/types';

export interface ImportFileInput {
  /** path relative to the picked folder (webkitRelativePath / drag-and-drop walk), or the file name */
  path: string;
  file: Blob;
}

export interface LabelTableInput {
  /** file name; VinDr's image_labels_train.csv / image_labels_test.csv name the official split */
  name: string;
  text: string;
}

export interface ImportRequest {
  /** set to resume an unfinished import into that dataset; finished files are skipped */
  datasetId?: string;
  name: string;
  /** folder contents or single files; a `.zip` among them is streamed as an archive */
  files: ImportFileInput[];
  labelTables?: LabelTableInput[];
  labelMergePolicy?: LabelMergePolicy;
  /** longest side of canonical images (Settings; default 512) */
  maxImageSide?: number;
  splitConfig?: SplitConfig;
  /** files decoded concurrently (default 4) */
  inFlight?: number;
  /** images per storage transaction (default 32) */
  batchSize?: number;
  /** test/bench hook: stop (as if cancelled) after this many files were finished in this run */
  stopAfter?: number;
}

export interface ImportResult {
  datasetId: string;
  /** the dataset id, for the job record */
  resultIds: string[];
  report: ImportReport;
  /** files handled in this run (imported, duplicate or failed) */
  processedThisRun: number;
  /** files skipped because an earlier run had finished them */
  skippedThisRun: number;
  /** peak JS heap of the worker in this run, bytes, when the browser reports it */
  peakHeapBytes: number | null;
  seconds: number;
}

export interface DemoRequest extends DemoDatasetParams {
  name?: string;
  maxImageSide?: number;
  splitConfig?: SplitConfig;
}

export const DEFAULT_DEMO_PARAMS: DemoDatasetParams = {
  count: 300,
  size: 256,
  classRatio: 0.25,
  seed: 1,
  opacityExtent: 0.4,
  opacityContrast: 0.6,
  imagesPerPatient: 1,
  positiveFinding: 'pneumonia',
};
