// The dataset contract shared by import (data/), storage, the Data page, training and
// the report. Everything here is JSON-serialisable so it can go to IndexedDB and into a
// manifest unchanged. Sets are stored as sorted string arrays for that reason.

/** SHA-256 hex (64 lowercase hex chars) of the canonical pixels; see image-id.ts. */
export type ImageId = string;

/**
 * A finding name: lowercase kebab-case (`pneumonia`, `bronchopneumonia`, `pleuro-pneumonia`).
 * `normal` is the special finding meaning "no finding".
 */
export type Finding = string;
export const NORMAL: Finding = 'normal';

export type ImageOrigin = 'real' | 'synthetic' | 'synthetic-demo';
export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

export type SourceFormat = 'png' | 'jpeg' | 'dicom' | 'generated';

/** What the file was before canonicalisation; shown in the image detail view. */
export interface OriginalImageInfo {
  format: SourceFormat;
  width: number;
  height: number;
  /** bits per stored sample (DICOM BitsStored, PNG bit depth, 8 for JPEG) */
  bitDepth: number;
  /** DICOM PhotometricInterpretation, or GRAY / RGB / RGBA / PALETTE for PNG/JPEG */
  photometric: string;
  /** DICOM Modality (CR, DX, ...) when known */
  modality?: string;
  /** DICOM transfer syntax UID when the source was DICOM */
  transferSyntaxUid?: string;
}

/** Where a synthetic image came from; required whenever origin is not 'real'. */
export interface SyntheticProvenance {
  /** generator identity, e.g. 'demo-phantom@1' or 'ldm-img2img' */
  generator: string;
  seed: number;
  /** the real image a synthesis started from (img2img), if any */
  sourceImageId?: ImageId;
  /** generator parameters, JSON-serialisable */
  params?: Record<string, unknown>;
}

export interface ImageRecord {
  id: ImageId;
  /** canonical size (8-bit gray, longest side capped) */
  width: number;
  height: number;
  /** path inside the imported folder/zip, or a generated name */
  sourcePath: string;
  origin: ImageOrigin;
  /**
   * Sorted, unique findings. `['normal']` = no finding; `[]` = not labelled (yet).
   * `normal` never appears together with another finding.
   */
  labels: Finding[];
  /** finer labels that are not findings of their own, e.g. Kermany `bacterial`/`viral` */
  subLabels?: string[];
  /**
   * Salted SHA-256 of the patient identifier (never the identifier itself), or null when
   * the source has none: then the image is its own group.
   */
  patientGroup: string | null;
  original: OriginalImageInfo;
  /** ms since epoch */
  importedAt: number;
  /** the source's own split (Kermany folders, VinDr train/test tables) */
  officialSplit?: SplitName;
  provenance?: SyntheticProvenance;
}

/**
 * What to do with images carrying findings other than the task's positive finding.
 * - `exclude` (default): any image with another finding is left out, positive or not —
 *   the cleanest binary problem, and other findings are never used as normals.
 * - `positives-keep-cofindings`: positives may carry other findings; images with only
 *   other findings are left out (still never normals).
 * - `other-as-negative`: everything without the positive finding is a negative
 *   ("positive vs rest"). Not the study's setting; offered so the choice is explicit.
 */
export type OtherFindingsPolicy = 'exclude' | 'positives-keep-cofindings' | 'other-as-negative';

export const OTHER_FINDINGS_POLICY_TEXT: Record<OtherFindingsPolicy, string> = {
  exclude: 'Images with any other finding are excluded (neither positives nor normals).',
  'positives-keep-cofindings':
    'Images with the positive finding count as positives even with other findings; images with only other findings are excluded (never normals).',
  'other-as-negative': 'Every image without the positive finding counts as a negative, including images with other findings.',
};

/** A binary problem: positive finding vs normal. */
export interface Task {
  id: string;
  name: string;
  positiveFinding: Finding;
  otherFindings: OtherFindingsPolicy;
}

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

export interface SplitConfig {
  seed: number;
  /** must sum to 1; when the official test split is kept, `test` is ignored */
  fractions: SplitFractions;
  /** keep the source's official test split when images carry one */
  keepOfficialTest: boolean;
}

/** The result of splitting one task's images. */
export interface SplitAssignment {
  taskId: string;
  seed: number;
  fractions: SplitFractions;
  /** true when the test split is exactly the source's official test images */
  officialTestKept: boolean;
  /** image id → split, for every selected image that was assigned */
  assignments: Record<ImageId, SplitName>;
  /**
   * The test split may never feed training, synthesis sources, thresholds or early
   * stopping; see test-lock.ts. Always true: kept as a field so stored records say it.
   */
  testLocked: true;
}

export type LabelMergePolicy = 'any-positive' | 'majority' | 'unanimous';

export interface DatasetManifest {
  version: 1;
  createdAt: string;
  name: string;
  /** longest side of canonical images: image ids depend on it */
  canonicalMaxSide: number;
  images: ManifestImage[];
  tasks: Task[];
  splits: SplitAssignment[];
  /** how multi-reader label rows were merged, when a label table was used */
  labelMergePolicy?: LabelMergePolicy;
}

export interface ManifestImage {
  id: ImageId;
  labels: Finding[];
  origin: ImageOrigin;
  sourcePath: string;
  patientGroup: string | null;
  officialSplit?: SplitName;
}
