// The synthesis job as the diffusion worker runs it: for each chosen NORMAL training image,
// one img2img generation under the positive-finding prompt, stored content-addressed with
// full provenance and review status 'pending'. The run record's `outputs` is the checkpoint:
// it is saved after every stored image, so a cancelled or killed job resumed with the same
// run id continues at the first image without output and never redoes a finished one.
import type { BackendPreference, OrtProviderName } from '../../../core/backends';
import { isCancellation, type JobContext } from '../../../core/jobs';
import { deriveSeed } from '../../../core/random';
import { getDataset, readCanonicalPixels, storeImageContent } from '../../../storage/dataset-repo';
import { stores } from '../../../storage/stores';
import {
  getSynthesisRun, saveSynthesisRun,
  type SynthesisModelRef, type SynthesisRunRecord, type SynthesisSettings, type SyntheticImageRecord,
} from '../../../storage/synthetic-repo';
import type { GenerateParams, GenerateResult, PipelineInfo } from '../runtime';
import type { Img2ImgProgress } from '../pipeline/img2img';
import { img2imgSchedule, img2imgStepCount, type SchedulerKind } from '../schedulers';
import { schedulerOverride, synthesisSettingsProblems } from './defaults';
import { canonicalSynthetic } from './output';
import { chooseSynthesisSources } from './sources';

export interface SynthesisRequest extends SynthesisSettings {
  runId: string;
  /** continue the stored run `runId` (its stored settings win) instead of starting it */
  resume?: boolean;
  /** the UI job id, recorded on the run */
  jobId?: string;
}

export interface SynthesisResult {
  runId: string;
  /** the run id (job records keep ids, not images) */
  resultIds: string[];
  imageIds: string[];
  generatedThisRun: number;
  skippedThisRun: number;
  seconds: number;
}

export interface LoadedModel {
  info: PipelineInfo;
  modelId: string;
  modelSource: 'store' | 'url';
  modelHash: string | null;
  /** the substitute VAE, when the run asked for one */
  vae?: { modelId: string; modelHash: string };
}

/** What the job needs from the worker: a loaded pipeline and one generation on it. */
export interface SynthesisEngine {
  /** Throws when the provider choice cannot run here (WebGPU chosen without an adapter): checked before the run is stored. */
  checkProvider(provider: BackendPreference<OrtProviderName>): Promise<void>;
  /** `scheduler` undefined: the class the model's scheduler config names. */
  ensurePipeline(model: SynthesisModelRef, scheduler: SchedulerKind | undefined, provider: BackendPreference<OrtProviderName>, vaeModelId?: string): Promise<LoadedModel>;
  generate(params: GenerateParams, onProgress: (p: Img2ImgProgress) => void): Promise<GenerateResult>;
}

async function startOrResume(req: SynthesisRequest, engine: SynthesisEngine): Promise<SynthesisRunRecord> {
  if (req.resume) {
    const run = await getSynthesisRun(req.runId);
    if (!run) throw new Error(`no synthesis run ${req.runId} to resume`);
    await engine.checkProvider(run.settings.provider);
    return run;
  }
  if (await getSynthesisRun(req.runId)) throw new Error(`synthesis run ${req.runId} exists already; resume it instead`);
  const { runId: _r, resume: _s, jobId: _j, ...settings } = req;
  const problems = synthesisSettingsProblems(settings);
  if (problems.length) throw new Error(`invalid synthesis settings: ${problems.join('; ')}`);
  const dataset = await getDataset(settings.datasetId);
  const task = dataset?.tasks.find((t) => t.id === settings.taskId);
  const sourceIds = await chooseSynthesisSources(settings.datasetId, settings.taskId, settings.count, settings.seed, settings.sourceIds);
  await engine.checkProvider(settings.provider);
  const now = Date.now();
  const run: SynthesisRunRecord = {
    kind: 'synthesis', id: req.runId, status: 'running', createdAt: now, updatedAt: now,
    settings: { ...settings, count: sourceIds.length },
    taskName: task!.name, finding: task!.positiveFinding,
    sourceIds, outputs: sourceIds.map(() => null), jobIds: [],
  };
  await saveSynthesisRun(run);
  return run;
}

export async function runSynthesisJob(req: SynthesisRequest, ctx: JobContext, engine: SynthesisEngine): Promise<SynthesisResult> {
  const t0 = performance.now();
  ctx.progress('preparing', 0, 1, 'choosing NORMAL training images');
  let run = await startOrResume(req, engine);
  const s = run.settings;
  run = { ...run, status: 'running', error: undefined, jobIds: req.jobId ? [...run.jobIds, req.jobId] : run.jobIds };
  await saveSynthesisRun(run);
  let generated = 0;
  const skipped = run.outputs.filter((x) => x !== null).length;
  try {
    const dataset = await getDataset(s.datasetId);
    if (!dataset) throw new Error(`no dataset ${s.datasetId}`);
    ctx.progress('loading model', 0, 1, s.model.kind === 'store' ? s.model.modelId : s.model.baseUrl);
    const model = await engine.ensurePipeline(s.model, schedulerOverride(s.scheduler), s.provider, s.vaeModelId);
    run.pipeline = {
      providers: model.info.providers,
      scheduler: model.info.scheduler,
      width: model.info.width,
      height: model.info.height,
      notes: model.info.notes,
      gpuLoop: model.info.keepOnGpu,
    };
    await saveSynthesisRun(run);

    // One progress scale over the whole run, in UNet steps, so the ETA covers all images.
    const schedule = img2imgSchedule(model.info.scheduler, model.info.guidanceEmbeddingDim !== undefined);
    const stepsPerImage = img2imgStepCount(schedule, s.steps, s.strength, model.info.scheduler);
    const total = run.sourceIds.length * stepsPerImage;
    for (let i = 0; i < run.sourceIds.length; i++) {
      if (run.outputs[i] !== null) continue;
      ctx.throwIfCancelled();
      const sourceId = run.sourceIds[i];
      const source = await readCanonicalPixels(sourceId);
      if (!source) throw new Error(`source image ${sourceId.slice(0, 12)} has no stored pixels`);
      const seed = deriveSeed(s.seed, i);
      const done = run.outputs.filter((x) => x !== null).length;
      const label = `image ${done + 1} of ${run.sourceIds.length}`;
      const t1 = performance.now();
      const generatedAt = Date.now();
      const result = await engine.generate(
        { image: { data: source.pixels, width: source.width, height: source.height, channels: 1 }, prompt: s.prompt, negativePrompt: s.negativePrompt, strength: s.strength, numInferenceSteps: s.steps, guidanceScale: s.guidance, seed, width: s.size, height: s.size },
        (p) => {
          const step = p.stage === 'denoise' ? p.done : p.stage === 'decode' ? stepsPerImage : 0;
          ctx.progress('synthesizing', done * stepsPerImage + Math.min(step, stepsPerImage), total, p.stage === 'denoise' ? `${label}: step ${p.done + 1} of ${p.total}` : `${label}: ${p.stage}`);
        },
      );
      const generateMs = performance.now() - t1;
      const { canonical, thumb } = await canonicalSynthetic({ width: result.width, height: result.height, pixels: result.gray }, source, dataset.canonicalMaxSide);
      const existing = await stores.images.get(canonical.id);
      if (existing && (existing as { origin?: string }).origin !== 'synthetic') {
        throw new Error(`generated image ${canonical.id.slice(0, 12)} is pixel-identical to a stored real image; refusing to overwrite it`);
      }
      const record: SyntheticImageRecord = {
        id: canonical.id, width: canonical.width, height: canonical.height,
        sourcePath: `synthetic/${run.id}/${String(i).padStart(5, '0')}.png`,
        origin: 'synthetic',
        labels: [run.finding],
        patientGroup: null,
        original: { format: 'generated', width: result.width, height: result.height, bitDepth: 8, photometric: 'MONOCHROME2' },
        importedAt: Date.now(),
        provenance: {
          generator: 'ldm-img2img', seed, sourceImageId: sourceId,
          params: {
            datasetId: s.datasetId, taskId: s.taskId, runId: run.id, finding: run.finding,
            prompt: s.prompt, negativePrompt: s.negativePrompt, strength: s.strength, steps: s.steps, guidance: s.guidance,
            scheduler: model.info.scheduler, modelId: model.modelId, modelSource: model.modelSource, modelHash: model.modelHash,
            backend: model.info.providers, modelWidth: result.width, modelHeight: result.height, generatedAt, generateMs,
            ...(model.vae ? { vae: model.vae } : {}),
          },
        },
        review: { status: 'pending', at: Date.now() },
      };
      // Same pixels as a synthetic image already stored (the same settings run again, or a
      // generation redone after a crash): it is that image. Its record — first provenance and
      // the user's review — is kept rather than reset to pending.
      if (!existing) await storeImageContent([{ record, pixels: canonical, thumb }]);
      run.outputs[i] = canonical.id;
      await saveSynthesisRun(run); // the checkpoint
      generated++;
      ctx.progress('synthesizing', (done + 1) * stepsPerImage, total, `${label} stored`);
    }
    run.status = 'completed';
    await saveSynthesisRun(run);
  } catch (e) {
    // A cancel that lands inside a generation surfaces as the pipeline's AbortError, not as
    // JobCancelledError (the worker maps it afterwards): the signal decides.
    const cancelled = isCancellation(e) || ctx.signal.aborted;
    run.status = cancelled ? 'cancelled' : 'failed';
    run.error = cancelled ? undefined : (e as Error)?.message || String(e);
    await saveSynthesisRun(run).catch(() => undefined);
    throw e;
  }
  const imageIds = run.outputs.filter((x): x is string => x !== null);
  return { runId: run.id, resultIds: [run.id], imageIds, generatedThisRun: generated, skippedThisRun: skipped, seconds: (performance.now() - t0) / 1000 };
}
