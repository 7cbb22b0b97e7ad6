// The import job: sources → decode (a few files in flight) → canonical pixels, thumbnail
// and member record → batched writes with a checkpoint per batch → label tables, tasks
// and splits at the end. Bad files become per-file errors; a cancel or a reload leaves a
// consistent, resumable dataset (status 'incomplete' / 'importing').
import { DATASET_RECORD_VERSION, emptyReport, type DatasetImage, type DatasetRecord, type DatasetSourceInfo, type ImportErrorReason } from '../../core/dataset/dataset-record';
import { labelFromPath, pathSegments } from '../../core/dataset/folder-labels';
import { patientGroupHash } from '../../core/dataset/image-id';
import { DEFAULT_SPLIT_CONFIG } from '../../core/dataset/splits';
import { STUDY_TASKS } from '../../core/dataset/tasks';
import { JobCancelledError, type JobContext } from '../../core/jobs';
import { getDataset, putDataset } from '../../storage/dataset-repo';
import { stores } from '../../storage/stores';
import { DEFAULT_DECODE_OPTIONS, decodeFile, newGroupSalt } from '../decode-file';
import { DatasetWriter } from './dataset-writer';
import { finalizeDataset } from './finalize';
import type { ImportRequest, ImportResult, LabelTableInput } from './import-types';
import { HeapSampler } from './heap';
import { iterateSources, planSources, type SourceItem } from './sources';
import { makeThumbnail } from './thumbnail';

export const tablesKey = (datasetId: string) => `import-tables:${datasetId}`;

export function newDatasetId(prefix = 'ds'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function describeSources(req: ImportRequest): DatasetSourceInfo[] {
  const out: DatasetSourceInfo[] = [];
  const folders = new Map<string, { files: number; bytes: number }>();
  let loose = { files: 0, bytes: 0 };
  for (const f of req.files) {
    if (/\.zip$/i.test(f.path)) {
      out.push({ kind: 'zip', name: f.path, bytes: f.file.size });
      continue;
    }
    const segs = pathSegments(f.path);
    if (segs.length > 1) {
      const s = folders.get(segs[0]) ?? { files: 0, bytes: 0 };
      s.files++;
      s.bytes += f.file.size;
      folders.set(segs[0], s);
    } else loose = { files: loose.files + 1, bytes: loose.bytes + f.file.size };
  }
  for (const [name, s] of folders) out.push({ kind: 'folder', name, ...s });
  if (loose.files) out.push({ kind: 'files', name: `${loose.files} file(s)`, ...loose });
  for (const t of req.labelTables ?? []) out.push({ kind: 'label-table', name: t.name, bytes: t.text.length });
  return out;
}

async function openRecord(req: ImportRequest): Promise<DatasetRecord> {
  if (req.datasetId) {
    const rec = await getDataset(req.datasetId);
    if (!rec) throw new Error(`cannot resume: no dataset ${req.datasetId}`);
    if (rec.status === 'ready') throw new Error(`dataset ${rec.name} is already complete`);
    return rec;
  }
  const now = Date.now();
  const rec: DatasetRecord = {
    version: DATASET_RECORD_VERSION,
    id: newDatasetId(),
    name: req.name || 'Imported dataset',
    createdAt: now,
    updatedAt: now,
    status: 'importing',
    origin: 'real',
    sources: describeSources(req),
    imageIds: [],
    canonicalMaxSide: req.maxImageSide ?? DEFAULT_DECODE_OPTIONS.maxSide,
    labelMergePolicy: req.labelMergePolicy ?? 'any-positive',
    groupSalt: newGroupSalt(),
    report: emptyReport(now),
    tasks: STUDY_TASKS.map((t) => ({ ...t })),
    splitConfig: req.splitConfig ?? DEFAULT_SPLIT_CONFIG,
    splits: [],
    splitsStale: false,
  };
  await putDataset(rec);
  return rec;
}

type Outcome = { ok: true; member: DatasetImage; pixels: { width: number; height: number; pixels: Uint8Array } } | { ok: false; path: string; reason: ImportErrorReason; message: string };

async function processItem(item: SourceItem, rec: DatasetRecord): Promise<Outcome> {
  if ('error' in item) return { ok: false, ...item.error };
  let bytes: Uint8Array;
  try {
    bytes = await item.read();
  } catch (e) {
    return { ok: false, path: item.path, reason: 'unreadable', message: (e as Error).message };
  }
  const r = await decodeFile(item.path, bytes, { ...DEFAULT_DECODE_OPTIONS, maxSide: rec.canonicalMaxSide, groupSalt: rec.groupSalt });
  if (!r.ok) return { ok: false, ...r.error };
  const d = r.value;
  const fl = labelFromPath(item.path);
  // DICOM patient ids win; else a patient key in the file name (Kermany `person12_…`).
  const patientGroup = d.patientGroup ?? (fl.patientKey ? await patientGroupHash(`filename:${fl.patientKey}`, rec.groupSalt) : null);
  const member: DatasetImage = {
    datasetId: rec.id,
    id: d.image.id,
    width: d.image.width,
    height: d.image.height,
    sourcePath: item.path,
    origin: 'real',
    labels: fl.labels,
    patientGroup,
    original: d.original,
    importedAt: Date.now(),
  };
  if (fl.subLabels.length) member.subLabels = fl.subLabels;
  if (fl.officialSplit) member.officialSplit = fl.officialSplit;
  return { ok: true, member, pixels: d.image };
}

export async function runImport(req: ImportRequest, ctx: JobContext): Promise<ImportResult> {
  const t0 = performance.now();
  const heap = new HeapSampler();
  let rec = await openRecord(req);
  if (req.labelTables) await stores.checkpoints.put(tablesKey(rec.id), req.labelTables);
  const tables = (req.labelTables ?? ((await stores.checkpoints.get(tablesKey(rec.id))) as LabelTableInput[] | undefined) ?? []) as LabelTableInput[];
  if (rec.status !== 'importing') await putDataset((rec = { ...rec, status: 'importing' }));

  const writer = await DatasetWriter.open(rec.id, req.batchSize ?? 32);
  ctx.progress('listing sources', 0, 1);
  const plan = await planSources(req.files);
  const skippedUpFront = plan.paths.filter((p) => writer.finished.has(p)).length;
  let total = plan.paths.length;
  let done = skippedUpFront;
  let processed = 0;
  const inFlight = Math.max(1, req.inFlight ?? 4);
  const active = new Set<Promise<void>>();
  let stopped = false;

  const report = (msg = '') => ctx.progress('decoding and storing', done, Math.max(total, done), msg);
  report(skippedUpFront ? `resuming: ${skippedUpFront} file(s) finished earlier are skipped` : '');

  try {
    for await (const item of iterateSources(req.files, (p) => writer.finished.has(p), ctx.signal)) {
      if (ctx.signal.aborted || (req.stopAfter !== undefined && processed >= req.stopAfter)) {
        stopped = true;
        break;
      }
      if (!plan.exact && done >= total) total = done + 1;
      while (active.size >= inFlight) await Promise.race(active);
      const task = processItem(item, rec).then((o) => {
        if (o.ok) writer.addImage(o.member, o.pixels, makeThumbnail(o.pixels));
        else writer.addError({ path: o.path, reason: o.reason, message: o.message });
        done++;
        processed++;
        heap.sample();
        report(item.path);
      });
      const tracked = task.finally(() => active.delete(tracked));
      active.add(tracked);
      await writer.maybeFlush();
    }
    await Promise.all(active);
    await writer.flush();
  } catch (e) {
    // Storage full or a bug: keep what is written, leave the dataset resumable.
    await Promise.allSettled(active);
    await writer.flush().catch(() => undefined);
    await putDataset({ ...rec, status: 'incomplete', report: { ...rec.report, errors: writer.errors, files: writer.finished.size } });
    throw e;
  }

  const seconds = (performance.now() - t0) / 1000;
  const reportPatch = { files: writer.finished.size, errors: writer.errors, resumedSkipped: rec.report.resumedSkipped + skippedUpFront, seconds: rec.report.seconds + seconds };
  if (stopped || ctx.signal.aborted) {
    await putDataset({ ...rec, status: 'incomplete', imageIds: [...writer.members.keys()].sort(), report: { ...rec.report, ...reportPatch, images: writer.members.size } });
    if (ctx.signal.aborted) throw new JobCancelledError();
  } else {
    ctx.progress('labels, tasks and splits', 0, 1);
    rec = await finalizeDataset(rec, [...writer.members.values()], tables, { ...reportPatch, finishedAt: Date.now() });
    await putDataset(rec);
    ctx.progress('labels, tasks and splits', 1, 1);
  }
  const final = (await getDataset(rec.id))!;
  return {
    datasetId: rec.id,
    resultIds: [rec.id],
    report: final.report,
    processedThisRun: processed,
    skippedThisRun: skippedUpFront,
    peakHeapBytes: heap.peak,
    seconds,
  };
}
