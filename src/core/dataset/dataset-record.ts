// The stored shape of a dataset (stores.datasets) and of its members
// (stores.datasetImages), plus the import report the Data page shows. Pure types and
// small pure helpers: storage/dataset-repo.ts reads and writes them, data/import fills them.
import type { LabelJoinReport } from './label-join';
import type { ParsedLabelTable } from './label-table';
import type { SplitCounts } from './splits';
import type { Finding, ImageId, ImageOrigin, ImageRecord, LabelMergePolicy, SplitAssignment, SplitConfig, SplitName, Task } from './types';

export const DATASET_RECORD_VERSION = 1 as const;

/** Per-file problems the importer reports; the file is skipped, the import goes on. */
export type ImportErrorReason =
  | 'empty'
  | 'truncated'
  | 'corrupt'
  | 'not-an-image'
  | 'unsupported-format'
  | 'unsupported-transfer-syntax'
  | 'unsupported-dicom'
  | 'too-large'
  | 'unreadable';

export interface ImportFileError {
  path: string;
  reason: ImportErrorReason;
  message: string;
}

/** Two or more source files whose canonical pixels are identical (same SHA-256). */
export interface DuplicateGroup {
  id: ImageId;
  /** sorted; the first one is the member's sourcePath */
  paths: string[];
  /** the files' folder/table labels disagreed; the kept labels are the first path's */
  conflictingLabels: boolean;
}

export interface ImportReport {
  /** files seen in the sources (including skipped-on-resume and failed ones) */
  files: number;
  /** distinct images stored in this dataset */
  images: number;
  errors: ImportFileError[];
  duplicates: DuplicateGroup[];
  /** files skipped because a previous, interrupted run of this import had finished them */
  resumedSkipped: number;
  labelTables: { name: string; report: LabelJoinReport; table: Pick<ParsedLabelTable, 'keyColumn' | 'readerColumn' | 'shape' | 'findingColumns'> }[];
  /** label-table problems that stopped a table from being used (unparseable, no key column) */
  labelTableErrors: { name: string; message: string }[];
  startedAt: number;
  finishedAt: number | null;
  /** seconds spent in import runs (sum over resumed runs) */
  seconds: number;
}

export type DatasetStatus = 'importing' | 'ready' | 'incomplete';

export interface DatasetSourceInfo {
  kind: 'folder' | 'files' | 'zip' | 'demo' | 'label-table';
  name: string;
  files?: number;
  bytes?: number;
}

export interface DatasetRecord {
  version: typeof DATASET_RECORD_VERSION;
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  status: DatasetStatus;
  /** 'synthetic-demo' for the built-in demo, else 'real' */
  origin: ImageOrigin;
  sources: DatasetSourceInfo[];
  /** sorted ids of the images in this dataset */
  imageIds: ImageId[];
  /** longest side of the canonical images; ids depend on it */
  canonicalMaxSide: number;
  labelMergePolicy: LabelMergePolicy;
  /** per-dataset salt of the patient-group hashes (never leaves the browser) */
  groupSalt: string;
  report: ImportReport;
  tasks: Task[];
  splitConfig: SplitConfig;
  /** one per task */
  splits: SplitAssignment[];
  /** true after a relabel: stored splits predate the current labels */
  splitsStale: boolean;
  /** parameters of the demo generator, when origin is synthetic-demo */
  demoParams?: Record<string, unknown>;
}

/**
 * One image as a member of one dataset: the dataset's labels, source path and split
 * info. Pixels and thumbnails are content-addressed and shared between datasets; labels
 * are per dataset, so relabelling in one dataset never changes another.
 */
export interface DatasetImage extends ImageRecord {
  datasetId: string;
  /** other source files with identical canonical pixels */
  duplicatePaths?: string[];
  /** labels before the first manual relabel, and when it happened */
  relabelled?: { from: Finding[]; at: number };
}

export const memberKey = (datasetId: string, imageId: ImageId) => `${datasetId}/${imageId}`;

/** Image counts per split and class for a task, as the split editor shows them. */
export interface TaskSplitSummary {
  taskId: string;
  counts: Record<SplitName, SplitCounts>;
  /** selected for the task but without a stored split (labels changed since) */
  unassigned: number;
  excluded: number;
}

export function emptyReport(now: number): ImportReport {
  return { files: 0, images: 0, errors: [], duplicates: [], resumedSkipped: 0, labelTables: [], labelTableErrors: [], startedAt: now, finishedAt: null, seconds: 0 };
}
