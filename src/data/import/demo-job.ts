// The built-in demo dataset: procedural radiographs (core/demo) stored through the same
// writer, checkpoints and finalisation as a real import, with origin 'synthetic-demo'.
import { DATASET_RECORD_VERSION, emptyReport, type DatasetImage, type DatasetRecord } from '../../core/dataset/dataset-record';
import { DEFAULT_SPLIT_CONFIG } from '../../core/dataset/splits';
import { makeTask, STUDY_TASKS } from '../../core/dataset/tasks';
import { DEMO_GENERATOR, generateDemoDataset } from '../../core/demo/demo-dataset';
import { JobCancelledError, yieldToEvents, type JobContext } from '../../core/jobs';
import { putDataset } from '../../storage/dataset-repo';
import { canonicalise, DEFAULT_CANONICAL_MAX_SIDE } from '../canonicalise';
import { DatasetWriter } from './dataset-writer';
import { finalizeDataset } from './finalize';
import { HeapSampler } from './heap';
import { DEFAULT_DEMO_PARAMS, type DemoRequest, type ImportResult } from './import-types';
import { newDatasetId } from './import-job';
import { makeThumbnail } from './thumbnail';

export async function runDemoImport(req: DemoRequest, ctx: JobContext): Promise<ImportResult> {
  const t0 = performance.now();
  const heap = new HeapSampler();
  const params = { ...DEFAULT_DEMO_PARAMS, ...req };
  if (!(params.count >= 1 && params.count <= 100_000)) throw new RangeError(`count must be 1..100000, got ${params.count}`);
  const maxSide = req.maxImageSide ?? DEFAULT_CANONICAL_MAX_SIDE;
  const finding = params.positiveFinding ?? 'pneumonia';
  const now = Date.now();
  const { name: _n, maxImageSide: _m, splitConfig: _s, ...demoParams } = params;
  let rec: DatasetRecord = {
    version: DATASET_RECORD_VERSION,
    id: newDatasetId('demo'),
    name: req.name || `synthetic-demo (${params.count} images, seed ${params.seed})`,
    createdAt: now,
    updatedAt: now,
    status: 'importing',
    origin: 'synthetic-demo',
    sources: [{ kind: 'demo', name: DEMO_GENERATOR, files: params.count }],
    imageIds: [],
    canonicalMaxSide: maxSide,
    labelMergePolicy: 'any-positive',
    groupSalt: '',
    report: emptyReport(now),
    tasks: STUDY_TASKS.some((t) => t.positiveFinding === finding) ? STUDY_TASKS.map((t) => ({ ...t })) : [...STUDY_TASKS.map((t) => ({ ...t })), makeTask(finding)],
    splitConfig: req.splitConfig ?? DEFAULT_SPLIT_CONFIG,
    splits: [],
    splitsStale: false,
    demoParams,
  };
  await putDataset(rec);
  const writer = await DatasetWriter.open(rec.id, 32);
  let done = 0;
  for await (const { record, image } of generateDemoDataset(params)) {
    if (ctx.signal.aborted) {
      await writer.flush();
      await putDataset({ ...rec, status: 'incomplete', imageIds: [...writer.members.keys()].sort() });
      throw new JobCancelledError();
    }
    // The generator's size may exceed the canonical cap; the stored id is always that of the canonical pixels.
    const canon = await canonicalise(image, maxSide);
    const member: DatasetImage = { ...record, id: canon.id, width: canon.width, height: canon.height, datasetId: rec.id };
    writer.addImage(member, canon, makeThumbnail(canon));
    await writer.maybeFlush();
    done++;
    heap.sample();
    ctx.progress('generating synthetic-demo images', done, params.count);
    if (done % 8 === 0) await yieldToEvents(); // let a cancel message in
  }
  await writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  rec = await finalizeDataset(rec, [...writer.members.values()], [], { files: params.count, errors: writer.errors, seconds, finishedAt: Date.now() });
  await putDataset(rec);
  return { datasetId: rec.id, resultIds: [rec.id], report: rec.report, processedThisRun: done, skippedThisRun: 0, peakHeapBytes: heap.peak, seconds };
}
