// Synthesis runs and their synthetic images, as the Synthesis page, the diffusion worker
// and the augmented classifier read them.
//
//   stores.runs     SynthesisRunRecord, keyed by run id (`kind: 'synthesis'`). Its `outputs`
//                   array is the job's checkpoint: written after every stored image, so a
//                   resumed job skips what is done.
//   stores.images   SyntheticImageRecord (origin 'synthetic', provenance, review status),
//   stores.pixels   stores.thumbs: content-addressed like imported images (dataset-repo's
//                   storeImageContent writes them).
//
// Synthetic images are *not* members of the dataset (stores.datasetImages): members are
// what splits are computed from, and a re-split must never put a synthetic image into a
// split (least of all test). They enter a classifier only through acceptedSyntheticImages.
import type { BackendPreference, OrtProviderName } from '../core/backends';
import type { ImageId, ImageRecord, SyntheticProvenance } from '../core/dataset/types';
import { imagesForTask } from './dataset-repo';
import { stores } from './stores';

export type ReviewStatus = 'pending' | 'accepted' | 'rejected';

/** What a synthetic image was made with (provenance.params). JSON only. */
export interface SynthesisProvenanceParams {
  datasetId: string;
  taskId: string;
  runId: string;
  /** the positive finding the prompt asks for (the image's label) */
  finding: string;
  prompt: string;
  negativePrompt: string;
  strength: number;
  steps: number;
  guidance: number;
  scheduler: string;
  /** model store id, or the base URL for a URL source */
  modelId: string;
  modelSource: 'store' | 'url';
  /** SHA-256 over the sorted `path sha256` lines of the model's verified files; null for URL sources (not verified) */
  modelHash: string | null;
  /** execution providers the pipeline's components ran on (e.g. ['webgpu'] or ['wasm']) */
  backend: OrtProviderName[];
  /** the VAE used instead of the pipeline's own (a 'vae' model of the store, e.g. TAESD) */
  vae?: { modelId: string; modelHash: string };
  /** the model's working resolution (the output was resized from it to the source's scale) */
  modelWidth: number;
  modelHeight: number;
  /** ms since epoch when the image was generated, and how long it took */
  generatedAt: number;
  generateMs: number;
}

export interface SyntheticImageRecord extends ImageRecord {
  origin: 'synthetic';
  provenance: SyntheticProvenance & { generator: 'ldm-img2img'; sourceImageId: ImageId; params: SynthesisProvenanceParams & Record<string, unknown> };
  review: { status: ReviewStatus; at: number };
}

export type SynthesisModelRef = { kind: 'store'; modelId: string } | { kind: 'url'; baseUrl: string; files?: Record<string, string> };

/** What the user chose on the Synthesis page (the job's request minus the run id). */
export interface SynthesisSettings {
  model: SynthesisModelRef;
  datasetId: string;
  taskId: string;
  /** number of NORMAL training images to start from (one synthetic image each) */
  count: number;
  prompt: string;
  negativePrompt: string;
  strength: number;
  steps: number;
  guidance: number;
  /** a SchedulerKind of ml/diffusion/schedulers, or 'model' for the class the model's config names (synthesis/defaults.ts) */
  scheduler: string;
  seed: number;
  /** explicit source images instead of a seeded choice (still locked to NORMAL train images) */
  sourceIds?: ImageId[];
  /**
   * The run's ONNX Runtime execution provider: 'auto' (core/backends policy) or a named one,
   * used alone (chooseRunOrtProviders). Stored with the run, so a resume runs on the same
   * choice; what actually ran is the pipeline's `providers` and each image's `backend`.
   */
  provider: BackendPreference<OrtProviderName>;
  /** a 'vae' model of the store (TAESD, …) to use instead of the pipeline's VAE */
  vaeModelId?: string;
  /** side of the square generated image in px; absent: the model's default (unet sample_size × VAE factor) */
  size?: number;
}

export type SynthesisRunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface SynthesisQuality {
  computedAt: number;
  /** which synthetic images were measured */
  set: 'accepted' | 'all';
  syntheticIds: ImageId[];
  realPositiveCount: number;
  realTrainCount: number;
  fid: { fid: number; meanTerm: number; traceTerm: number };
  kid: { kid: number; sd: number; subsets: number; subsetSize: number };
  diversity: { synthetic: number; realPositive: number; ratio: number };
  memorisation: {
    medianRealNnDistance: number;
    threshold: number;
    nearCopies: number;
    /** per synthetic image (same order as syntheticIds) */
    perImage: { syntheticId: ImageId; nearestRealId: ImageId; distance: number; relative: number; nearCopy: boolean }[];
  };
  features: { weightsHash: string; inputSize: number; backend: string };
}

export interface SynthesisRunRecord {
  kind: 'synthesis';
  id: string;
  status: SynthesisRunStatus;
  error?: string;
  createdAt: number;
  updatedAt: number;
  settings: SynthesisSettings;
  taskName: string;
  finding: string;
  /** the chosen NORMAL training images, in generation order */
  sourceIds: ImageId[];
  /** per source index: the stored synthetic image, or null while not generated */
  outputs: (ImageId | null)[];
  /** job ids that worked on this run (first run, then resumes) */
  jobIds: string[];
  /** the pipeline as loaded by the last job (providers it runs on, notes) */
  pipeline?: {
    providers: OrtProviderName[];
    scheduler: string;
    width: number;
    height: number;
    notes: string[];
    /** the denoising loop ran on the GPU (absent in runs stored before it could) */
    gpuLoop?: boolean;
  };
  quality?: SynthesisQuality;
}

const isSynthesisRun = (x: unknown): x is SynthesisRunRecord =>
  typeof x === 'object' && x !== null && (x as SynthesisRunRecord).kind === 'synthesis' && typeof (x as SynthesisRunRecord).id === 'string';

export const isSyntheticImage = (x: unknown): x is SyntheticImageRecord =>
  typeof x === 'object' && x !== null && (x as ImageRecord).origin === 'synthetic' && (x as SyntheticImageRecord).provenance?.generator === 'ldm-img2img';

/** Runs stored before the per-run provider choice ran under the automatic policy (the page offered no other). */
const withProvider = (r: SynthesisRunRecord): SynthesisRunRecord =>
  r.settings.provider ? r : { ...r, settings: { ...r.settings, provider: 'auto' } };

export async function getSynthesisRun(id: string): Promise<SynthesisRunRecord | undefined> {
  const r = await stores.runs.get(id);
  return isSynthesisRun(r) ? withProvider(r) : undefined;
}

export async function saveSynthesisRun(r: SynthesisRunRecord): Promise<void> {
  await stores.runs.put(r.id, { ...r, updatedAt: Date.now() });
}

/** Synthesis runs, newest first; optionally only those of one dataset task. */
export async function listSynthesisRuns(datasetId?: string, taskId?: string): Promise<SynthesisRunRecord[]> {
  return (await stores.runs.entries())
    .map(([, v]) => v)
    .filter(isSynthesisRun)
    .map(withProvider)
    .filter((r) => (!datasetId || r.settings.datasetId === datasetId) && (!taskId || r.settings.taskId === taskId))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** Synthetic images of a run, in source order (generated ones only). */
export async function syntheticImagesOfRun(run: SynthesisRunRecord): Promise<SyntheticImageRecord[]> {
  const ids = run.outputs.filter((x): x is ImageId => x !== null);
  return (await stores.images.getMany(ids)).filter(isSyntheticImage);
}

/** Every synthetic image made for this dataset task (all runs), sorted by id. */
/** Synthetic images made from a dataset, for one task or (taskId omitted) all of them. */
export async function listSyntheticImages(datasetId: string, taskId?: string): Promise<SyntheticImageRecord[]> {
  const seen = new Map<ImageId, SyntheticImageRecord>();
  for (const run of await listSynthesisRuns(datasetId, taskId)) for (const img of await syntheticImagesOfRun(run)) seen.set(img.id, img);
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Accepts or rejects (or resets to pending) synthetic images; returns how many changed. */
export async function setReviewStatus(ids: ImageId[], status: ReviewStatus): Promise<number> {
  const recs = await stores.images.getMany(ids);
  const changed: [string, SyntheticImageRecord][] = [];
  recs.forEach((r, k) => {
    if (!isSyntheticImage(r)) throw new Error(`image ${ids[k].slice(0, 12)} is not a synthetic image`);
    if (r.review.status !== status) changed.push([r.id, { ...r, review: { status, at: Date.now() } }]);
  });
  await stores.images.putMany(changed);
  return changed.length;
}

/**
 * The synthetic images the review accepted for this dataset task: the only ones that may
 * enter the augmented training and validation sets. Each keeps its provenance, so the
 * trainer places it in the split of its source image (always train here) and flags it.
 */
export async function acceptedSyntheticImages(datasetId: string, taskId: string): Promise<SyntheticImageRecord[]> {
  return (await listSyntheticImages(datasetId, taskId)).filter((r) => r.review.status === 'accepted');
}

export async function saveSynthesisQuality(runId: string, quality: SynthesisQuality): Promise<void> {
  const run = await getSynthesisRun(runId);
  if (!run) throw new Error(`no synthesis run ${runId}`);
  await saveSynthesisRun({ ...run, quality });
}

/**
 * The images a quality report compares: the run's synthetic images (accepted ones, or all)
 * and the task's real training images (positives for FID/KID/diversity, all of them for
 * the memorisation check). Training split only: test images are never looked at here.
 */
export async function qualityImageSets(runId: string, set: 'accepted' | 'all'): Promise<{ syntheticIds: ImageId[]; realTrainIds: ImageId[]; realPositiveRows: number[] }> {
  const run = await getSynthesisRun(runId);
  if (!run) throw new Error(`no synthesis run ${runId}`);
  const synthetic = (await syntheticImagesOfRun(run)).filter((r) => set === 'all' || r.review.status === 'accepted');
  const real = (await imagesForTask(run.settings.datasetId, run.settings.taskId, 'train', 'training')).filter((r) => r.origin !== 'synthetic');
  const realPositiveRows: number[] = [];
  real.forEach((r, k) => {
    if (r.label === 1) realPositiveRows.push(k);
  });
  return { syntheticIds: synthetic.map((r) => r.id), realTrainIds: real.map((r) => r.id), realPositiveRows };
}
