// Job launchers for the UI: each binds a worker method to the job runner.
import type { TfjsBackendName } from '../core/backends';
import type { ModelEntry } from '../core/models/catalog';
import { DEMO_MODEL_ID } from '../core/models/builtin';
import type { DownloadOptions } from '../ml/models/download';
import type { ImportRequest } from '../ml/models/import-local';
import type { DemoRequest, ImportRequest as DataImportRequest } from '../data/import/import-types';
import type { BootstrapPlan } from '../report/stats';
import type { FeaturesRequest, TrainRequest } from '../ml/classifier/training/job';
import { describeSource } from '../ml/classifier/training/sources';
import type { SynthesisRequest } from '../ml/diffusion/synthesis/synthesis-job';
import { JobCancelledError } from '../core/jobs';
import { qualityImageSets, saveSynthesisQuality } from '../storage/synthetic-repo';
import { startJob } from '../jobs/job-runner';
import { getWorker } from '../workers/registry';

export function startTfjsSelfCheck(backend: TfjsBackendName, steps: number) {
  const params = { backend, steps, seed: 1234 };
  const accel = getWorker('accel');
  return startJob(
    { kind: 'tfjs-self-check', title: `Backend check: train a tiny conv net on ${backend} and cpu`, params, resumable: false },
    (jobId, sink) => accel.tfjsSelfCheck(jobId, params, sink),
    (jobId) => accel.cancel(jobId),
  );
}

/** Downloads (or resumes) a catalog model; only ever started by the user's click. */
export function startModelDownload(entry: ModelEntry, opts: DownloadOptions = {}) {
  const models = getWorker('models');
  const params = { modelId: entry.id, opts };
  return startJob(
    { kind: 'model-download', title: `Download ${entry.name}`, params, resumable: true },
    (jobId, sink) => models.download(jobId, entry, opts, sink),
    (jobId) => models.cancel(jobId),
  );
}

/** Imports a local folder (list of files with relative paths) or one zip, optionally as a catalog entry. */
export function startModelImport(req: ImportRequest) {
  const models = getWorker('models');
  const params = { modelId: req.entry?.id ?? null, name: req.name ?? null, files: req.files.length };
  return startJob(
    { kind: 'model-import', title: `Import ${req.entry?.name ?? req.name ?? 'local model'}`, params, resumable: false },
    (jobId, sink) => models.importLocal(jobId, req, sink),
    (jobId) => models.cancel(jobId),
  );
}

/** Generates and stores the built-in demo diffusion pipeline (offline; nothing is downloaded). */
export function startDemoModelInstall() {
  const models = getWorker('models');
  return startJob(
    { kind: 'model-import', title: 'Install the built-in demo diffusion model', params: { modelId: DEMO_MODEL_ID, name: 'built-in demo', files: 0 }, resumable: false },
    (jobId, sink) => models.installDemo(jobId, sink),
    (jobId) => models.cancel(jobId),
  );
}

/** Stores a weight-only int8 (bits 8) or 4-bit MatMul + int8 (bits 4) copy of a ready diffusion pipeline as a new local model. */
export function startModelQuantize(sourceId: string, name: string, bits: 8 | 4) {
  const models = getWorker('models');
  return startJob(
    { kind: 'model-import', title: `Make a${bits === 8 ? 'n int8' : ' 4-bit'} copy of ${name}`, params: { sourceId, bits, name, files: 0 }, resumable: false },
    (jobId, sink) => models.quantize(jobId, sourceId, bits, sink),
    (jobId) => models.cancel(jobId),
  );
}

/** Bootstrap CIs and paired comparisons of a report (started when a report is opened). */
export function startReportBootstrap(title: string, plan: BootstrapPlan) {
  const stats = getWorker('stats');
  const params = { title, items: plan.items.length, ...plan.settings };
  return startJob(
    { kind: 'report-bootstrap', title: `Bootstrap: ${title}`, params, resumable: false },
    (jobId, sink) => stats.bootstrapReport(jobId, plan, sink),
    (jobId) => stats.cancel(jobId),
  );
}

/** Imports images (folder, files, zip, label tables) into a new dataset, or resumes one (req.datasetId). */
export function startDataImport(req: DataImportRequest) {
  const data = getWorker('data');
  const params = { name: req.name, files: req.files.length, labelTables: (req.labelTables ?? []).map((t) => t.name), datasetId: req.datasetId ?? null };
  return startJob(
    { kind: 'data-import', title: `${req.datasetId ? 'Resume import' : 'Import'}: ${req.name}`, params, resumable: true, resumedFrom: req.datasetId },
    (jobId, sink) => data.importImages(jobId, req, sink),
    (jobId) => data.cancel(jobId),
  );
}

/** Creates the built-in synthetic-demo dataset. */
export function startDemoDataset(req: DemoRequest) {
  const data = getWorker('data');
  return startJob(
    { kind: 'demo-dataset', title: `Create synthetic-demo dataset (${req.count} images)`, params: req, resumable: false },
    (jobId, sink) => data.createDemo(jobId, req, sink),
    (jobId) => data.cancel(jobId),
  );
}

/**
 * Fine-tunes the classifier (baseline or augmented arm). Resumable: starting it again with
 * `resume: true` and the same runId continues from the run's last per-epoch checkpoint.
 */
export function startClassifierTraining(req: TrainRequest, resumedFromJob?: string) {
  const classifier = getWorker('classifier');
  const { source, ...rest } = req;
  // Job records keep names, not file contents.
  const params = { ...rest, source: describeSource(source) };
  return startJob(
    {
      kind: 'classifier-train',
      title: `${req.resume ? 'Resume' : 'Train'} ${req.arm} classifier (${req.config.trainableDepth === 'head' ? 'head only' : `from ${req.config.trainableDepth}`}, ${req.config.inputSize} px)`,
      params, resumable: true, resumedFrom: resumedFromJob,
    },
    (jobId, sink) => classifier.train(jobId, req, sink),
    (jobId) => classifier.cancel(jobId),
  );
}

/** 2048-d pooled Inception-V3 features (FID/KID, memorisation checks). */
export function startPooledFeatures(title: string, req: FeaturesRequest) {
  const classifier = getWorker('classifier');
  const params = { title, images: req.imageIds?.length ?? req.images?.length ?? 0, inputSize: req.inputSize ?? 299, source: req.source?.kind ?? 'nsfwjs' };
  return startJob(
    { kind: 'classifier-features', title: `Inception features: ${title}`, params, resumable: false },
    (jobId, sink) => classifier.pooledFeatures(jobId, req, sink),
    (jobId) => classifier.cancel(jobId),
  );
}

/**
 * Synthesis run (img2img from NORMAL training images) in the diffusion worker, on the run's
 * execution provider (job params and run settings keep it). Resumable: starting it again with
 * `resume: true` and the same runId continues after the last stored image, on the stored provider.
 */
export function startSynthesis(req: SynthesisRequest, resumedFromJob?: string) {
  const diffusion = getWorker('diffusion');
  return startJob(
    {
      kind: 'synthesis',
      title: `${req.resume ? 'Resume synthesis' : 'Synthesize'} ${req.count} image(s) on ${req.provider === 'auto' ? 'the automatic provider' : req.provider}: "${req.prompt}"`,
      params: req, resumable: true, resumedFrom: resumedFromJob,
    },
    (jobId, sink) => diffusion.synthesize(jobId, { ...req, jobId }, sink),
    (jobId) => diffusion.cancel(jobId),
  );
}

/**
 * Quality of a synthesis run: pooled Inception features of its synthetic images and the
 * task's real training images (classifier worker, cached per image), then FID/KID,
 * diversity and memorisation in the quality worker; stored on the run.
 */
export function startSynthesisQuality(runId: string, set: 'accepted' | 'all', features: Omit<FeaturesRequest, 'imageIds' | 'images'> = {}) {
  const classifier = getWorker('classifier');
  const quality = getWorker('quality');
  let current: { worker: 'classifier' | 'quality'; id: string } | null = null;
  let cancelled = false;
  return startJob(
    { kind: 'synthesis-quality', title: `Synthesis quality (${set} images of run ${runId})`, params: { runId, set }, resumable: false },
    async (jobId, sink) => {
      const sets = await qualityImageSets(runId, set);
      if (sets.syntheticIds.length < 2) throw new Error(`quality needs at least 2 ${set === 'accepted' ? 'accepted ' : ''}synthetic images (this run has ${sets.syntheticIds.length})`);
      const ids = [...sets.syntheticIds, ...sets.realTrainIds];
      current = { worker: 'classifier', id: `${jobId}:features` };
      const f = await classifier.pooledFeatures(current.id, { ...features, imageIds: ids }, sink);
      if (cancelled) throw new JobCancelledError();
      const d = f.dim;
      const ns = sets.syntheticIds.length;
      current = { worker: 'quality', id: `${jobId}:report` };
      const report = await quality.report(
        current.id,
        {
          d, set, syntheticIds: sets.syntheticIds, realTrainIds: sets.realTrainIds, realPositiveRows: sets.realPositiveRows,
          synthetic: f.features.slice(0, ns * d), realTrain: f.features.slice(ns * d),
          features: { weightsHash: f.weightsHash, inputSize: f.inputSize, backend: f.backend },
        },
        sink,
      );
      await saveSynthesisQuality(runId, report);
      return { resultIds: [runId], quality: report };
    },
    async () => {
      cancelled = true;
      const c = current;
      if (c) await (c.worker === 'classifier' ? classifier.cancel(c.id) : quality.cancel(c.id));
    },
  );
}
