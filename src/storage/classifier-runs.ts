// Classifier runs (stores.runs, `kind: 'classifier'`), their per-epoch checkpoints
// (stores.checkpoints, `classifier:<runId>`), the fine-tuned weights of finished runs and the
// backbone-feature cache. Usable from the page and from the classifier worker.
import type { Run as ReportRun } from '../core/report/schema';
import type { ClassCounts, ImageScore, TrainingCurvePoint } from '../core/report/schema';
import { createRepository } from './repository';
import { stores } from './stores';

export type ClassifierArm = 'baseline' | 'augmented';
export type ClassifierRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface ClassifierRunRecord {
  kind: 'classifier';
  id: string;
  arm: ClassifierArm;
  status: ClassifierRunStatus;
  error?: string;
  jobId: string;
  createdAt: number;
  updatedAt: number;
  datasetId: string;
  datasetName: string;
  taskId: string;
  taskName: string;
  /** TrainConfig, plus what the run was started with (JSON) */
  config: Record<string, unknown> & { seed: number; inputSize: number; trainableDepth: string };
  seed: number;
  /** SHA-256 of the sorted split/id/label lines of train, val and test */
  manifestHash: string;
  weights: { source: string; description: string; hash: string; notes: string[] };
  backend: { active: string; notes: string[] };
  counts: { train: ClassCounts; val: ClassCounts; test: ClassCounts; syntheticTrain: number; syntheticVal: number };
  trainingCurve: TrainingCurvePoint[];
  bestEpoch: number | null;
  stoppedEarly: boolean;
  resumedAtEpoch: number | null;
  validation: ImageScore[];
  test: ImageScore[];
  /** the fine-tuned weights are stored (classifierModels) and can be exported */
  modelStored: boolean;
  seconds: number;
}

/** Fine-tuned weights of a finished run: every variable, so export needs nothing else. */
export interface StoredClassifierModel {
  runId: string;
  variant: 'keras' | 'torchvision';
  inputSize: number;
  normalization: 'inception' | 'imagenet';
  head: { units: number; activation: 'sigmoid' | 'softmax' | 'linear'; dropoutRate: number };
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

export const classifierModels = createRepository<StoredClassifierModel>('classifier-models', (id) => `fine-tuned classifier of run ${id}`);
/** Backbone features, keyed `<weightsHash>:<inputSize>:<normalization>:<imageId>` (see ml/classifier/training/feature-cache.ts). */
export const classifierFeatures = createRepository<Float32Array>('classifier-features', (id) => `cached features ${id.slice(-12)}`);

export const checkpointKey = (runId: string) => `classifier:${runId}`;

const isClassifierRun = (x: unknown): x is ClassifierRunRecord =>
  typeof x === 'object' && x !== null && (x as ClassifierRunRecord).kind === 'classifier' && typeof (x as ClassifierRunRecord).id === 'string';

export async function listClassifierRuns(): Promise<ClassifierRunRecord[]> {
  return (await stores.runs.entries()).map(([, v]) => v).filter(isClassifierRun).sort((a, b) => b.createdAt - a.createdAt);
}

export async function getClassifierRun(id: string): Promise<ClassifierRunRecord | undefined> {
  const r = await stores.runs.get(id);
  return isClassifierRun(r) ? r : undefined;
}

export async function saveClassifierRun(r: ClassifierRunRecord): Promise<void> {
  await stores.runs.put(r.id, { ...r, updatedAt: Date.now() });
}

export async function deleteClassifierRun(id: string): Promise<void> {
  await stores.runs.delete(id);
  await stores.checkpoints.delete(checkpointKey(id));
  await classifierModels.delete(id);
}

/** The run in the report schema's shape (src/core/report/schema.ts `runSchema`). */
export function toReportRun(r: ClassifierRunRecord): ReportRun {
  return {
    id: r.id,
    label: r.arm,
    seed: r.seed,
    config: { ...r.config, weightsSource: r.weights.source, weightsHash: r.weights.hash, manifestHash: r.manifestHash, backend: r.backend.active, datasetId: r.datasetId, taskId: r.taskId },
    trainingCurve: r.trainingCurve,
    test: r.test,
    validation: r.validation,
  };
}

/** The review's accepted synthetic images: the one definition lives with the synthesis records. */
export { acceptedSyntheticImages } from './synthetic-repo';
