// Imports a model from the user's own files (air-gapped sites): a folder (picker or
// drag-and-drop) or a .zip read as a stream. Files are hashed on the way into OPFS and
// checked against a chosen catalog entry, or else against the diffusers ONNX layout.
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { isCancellation } from '../../core/jobs';
import { formatBytes } from '../../core/format';
import { fileCheck, type ModelEntry, type ModelFile } from '../../core/models/catalog';
import { checkDiffusersLayout, formatLayoutProblems, stripRoot, type LayoutReport } from '../../core/models/layout';
import { verifyFile } from '../../core/models/verify';
import { deleteModel, finalizePartial, getModel, openPartial, removePartial, saveModel, type StoredModel } from '../../storage/model-store';
import type { TaskContext } from './context';
import { FileHasher } from './hashing';
import { ModelStorageSpaceError, newStoredModel } from './download';
import { storageShortfall } from '../../core/models/space';
import { storageStatus } from '../../storage/quota';

export interface LocalFileInput {
  /** path relative to the picked folder or zip, with "/" separators */
  path: string;
  file: File;
}

export interface ImportRequest {
  files: LocalFileInput[];
  /** the catalog entry these files should be; when absent, a diffusers ONNX pipeline is expected */
  entry?: ModelEntry;
  /** display name for a local (non-catalog) model */
  name?: string;
  /** fixed id instead of a generated one (built-in models); a ready model with it is not replaced */
  id?: string;
}

export interface ImportResult {
  modelId: string;
  resultIds: string[];
  files: number;
  bytes: number;
}

/** Operating-system litter that folder pickers and zips carry along. */
const isJunk = (p: string) => p.split('/').some((s) => s.startsWith('.') || s === '__MACOSX' || s === 'Thumbs.db' || s === 'desktop.ini');

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'model';

interface Plan {
  id: string;
  /** source path (as given) → destination relative path, with the spec to verify against */
  targets: Map<string, { dest: string; spec?: ModelFile }>;
  layout?: LayoutReport;
  record: StoredModel;
}

/** The record of a diffusion pipeline stored from local files (imported, generated or converted here), before its files are written. */
export function newLocalPipelineRecord(id: string, name: string, variant: StoredModel['variant'], layout: Pick<LayoutReport, 'externalData' | 'tokenizer'>): StoredModel {
  const now = Date.now();
  return {
    id,
    origin: 'local',
    name,
    kind: 'diffusion-pipeline',
    variant,
    requiresShaderF16: false,
    entry: null,
    status: 'downloading',
    files: {},
    error: null,
    layout: { externalData: layout.externalData, tokenizer: layout.tokenizer },
    createdAt: now,
    updatedAt: now,
  };
}

/** Decides what goes where, and fails before anything is written when the set is wrong. */
async function plan(names: string[], req: Pick<ImportRequest, 'entry' | 'name' | 'id'>): Promise<Plan> {
  const usable = names.filter((n) => !isJunk(n) && !n.endsWith('/'));
  if (usable.length === 0) throw new Error('No files to import: the folder or zip is empty.');
  const { paths } = stripRoot(usable);
  const targets = new Map<string, { dest: string; spec?: ModelFile }>();

  if (req.entry) {
    const entry = req.entry;
    const existing = await getModel(entry.id);
    if (existing?.status === 'ready') throw new Error(`${entry.name} is already stored and verified; delete it first to import it again.`);
    const byPath = new Map(paths.map((p, i) => [p, usable[i]]));
    if (entry.files.length === 1 && usable.length === 1) {
      // A single weights file may carry any name (browsers rename duplicate downloads).
      targets.set(usable[0], { dest: entry.files[0].path, spec: entry.files[0] });
    } else {
      const missing: string[] = [];
      for (const f of entry.files) {
        const src = byPath.get(f.path) ?? usable.find((u) => u === f.path || u.endsWith('/' + f.path));
        if (src) targets.set(src, { dest: f.path, spec: f });
        else missing.push(f.path);
      }
      if (missing.length) {
        throw new Error(`These files do not match ${entry.name}: missing ${missing.join(', ')}. Found: ${paths.slice(0, 12).join(', ')}${paths.length > 12 ? ', …' : ''}.`);
      }
    }
    const record = existing ?? newStoredModel(entry);
    Object.assign(record, { entry, status: 'downloading', error: null, files: {} });
    if (entry.kind === 'diffusion-pipeline') {
      const layout = checkDiffusersLayout(entry.files.map((f) => f.path));
      record.layout = { externalData: layout.externalData, tokenizer: layout.tokenizer };
    }
    return { id: entry.id, targets, record };
  }

  const layout = checkDiffusersLayout(paths);
  if (!layout.ok) throw new Error(formatLayoutProblems(layout));
  paths.forEach((p, i) => targets.set(usable[i], { dest: p }));
  const name = req.name?.trim() || 'Local diffusion pipeline';
  const now = Date.now();
  const id = req.id ?? `local-${slug(name)}-${now.toString(36)}`;
  if (req.id && (await getModel(req.id))?.status === 'ready') throw new Error(`${name} is already stored and ready; delete it first to install it again.`);
  const record = newLocalPipelineRecord(id, name, 'unknown', layout);
  return { id, targets, record, layout };
}

export async function importLocalModel(req: ImportRequest, ctx: TaskContext): Promise<ImportResult> {
  const zip = req.files.length === 1 && /\.zip$/i.test(req.files[0].file.name) && !(req.entry && req.entry.files.some((f) => /\.zip$/i.test(f.path)));
  return zip ? importZip(req.files[0].file, req, ctx) : importFiles(req, ctx);
}

async function fail(p: Plan, e: unknown): Promise<never> {
  if (p.record.origin === 'local') {
    // A local import that failed has nothing worth keeping: no record, no files.
    await deleteModel(p.id).catch(() => undefined);
  } else {
    for (const { dest } of p.targets.values()) await removePartial(p.id, dest);
    p.record.status = 'failed';
    p.record.error = isCancellation(e) ? 'Import cancelled; nothing was marked ready.' : (e as Error).message;
    await saveModel(p.record).catch(() => undefined);
  }
  throw e;
}

function recordFile(p: Plan, dest: string, spec: ModelFile | undefined, digest: { bytes: number; sha256: string; md5?: string }) {
  p.record.files[dest] = { path: dest, bytes: digest.bytes, sha256: digest.sha256, md5: digest.md5 ?? null, complete: true, check: spec ? fileCheck(spec) : 'none' };
}

async function finish(p: Plan, bytes: number): Promise<ImportResult> {
  if (p.record.entry) {
    const missing = p.record.entry.files.filter((f) => !p.record.files[f.path]?.complete).map((f) => f.path);
    if (missing.length) throw new Error(`${p.record.name}: not imported: ${missing.join(', ')}.`);
  }
  p.record.status = 'ready';
  p.record.error = null;
  await saveModel(p.record);
  return { modelId: p.id, resultIds: [p.id], files: Object.keys(p.record.files).length, bytes };
}

/** Fails before writing when `bytes` (the import's size, or a lower bound of it) cannot fit. */
async function checkSpace(name: string, bytes: number): Promise<void> {
  const problem = storageShortfall(name, bytes, await storageStatus(), 'imported');
  if (problem) throw new ModelStorageSpaceError(problem);
}

async function importFiles(req: ImportRequest, ctx: TaskContext): Promise<ImportResult> {
  const bySource = new Map(req.files.map((f) => [f.path, f.file]));
  const p = await plan(req.files.map((f) => f.path), req);
  const total = [...p.targets.keys()].reduce((s, src) => s + bySource.get(src)!.size, 0);
  await checkSpace(p.record.name, total);
  await saveModel(p.record);
  let done = 0;
  try {
    for (const [src, { dest, spec }] of p.targets) {
      const file = bySource.get(src)!;
      const out = await openPartial(p.id, dest);
      const hasher = new FileHasher(Boolean(spec?.md5));
      try {
        out.truncate(0);
        const reader = file.stream().getReader();
        let at = 0;
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          out.write(value, at);
          hasher.update(value);
          at += value.byteLength;
          ctx.progress('importing', done + at, total, `${dest} (${formatBytes(file.size)})`);
          ctx.throwIfCancelled();
        }
        out.flush();
      } finally {
        out.close();
      }
      const digest = hasher.digest();
      if (spec) verifyFile(p.id, spec, digest);
      await finalizePartial(p.id, dest);
      recordFile(p, dest, spec, digest);
      await saveModel(p.record);
      done += file.size;
    }
    return await finish(p, done);
  } catch (e) {
    return fail(p, e);
  }
}

/** Reads a zip as a stream twice: first only the names (to fail before writing), then the data. */
async function importZip(zipFile: File, req: ImportRequest, ctx: TaskContext): Promise<ImportResult> {
  const names: string[] = [];
  await pumpZip(zipFile, ctx, (f) => {
    names.push(f.name);
    return null;
  });
  const p = await plan(names, req);
  // Compressed size: a lower bound of what the import writes.
  await checkSpace(p.record.name, zipFile.size);
  await saveModel(p.record);

  let bytes = 0;
  const open = new Map<string, { out: Awaited<ReturnType<typeof openPartial>>; hasher: FileHasher; at: number }>();
  try {
    // Partial files are opened before the second pass: fflate calls back synchronously,
    // and sync access handles write synchronously, so data goes straight to disk.
    for (const { dest, spec } of p.targets.values()) {
      const out = await openPartial(p.id, dest);
      out.truncate(0);
      open.set(dest, { out, hasher: new FileHasher(Boolean(spec?.md5)), at: 0 });
    }
    await pumpZip(zipFile, ctx, (f) => {
      const t = p.targets.get(f.name);
      if (!t) return null;
      const o = open.get(t.dest)!;
      return (chunk) => {
        o.out.write(chunk, o.at);
        o.hasher.update(chunk);
        o.at += chunk.byteLength;
        bytes += chunk.byteLength;
      };
    });
    for (const [dest, o] of open) {
      o.out.flush();
      o.out.close();
      open.delete(dest);
      const spec = [...p.targets.values()].find((t) => t.dest === dest)?.spec;
      const digest = o.hasher.digest();
      if (spec) verifyFile(p.id, spec, digest);
      await finalizePartial(p.id, dest);
      recordFile(p, dest, spec, digest);
    }
    return await finish(p, bytes);
  } catch (e) {
    for (const o of open.values()) {
      try {
        o.out.close();
      } catch {
        // already closed
      }
    }
    return fail(p, e);
  }
}

/**
 * Streams the zip through fflate's Unzip. `onEntry` returns a data sink for entries to
 * extract, or null to skip them (skipped entries are not inflated).
 */
async function pumpZip(zipFile: File, ctx: TaskContext, onEntry: (f: UnzipFile) => ((chunk: Uint8Array) => void) | null): Promise<void> {
  let error: unknown = null;
  const unzip = new Unzip((f) => {
    const sink = onEntry(f);
    if (!sink) return;
    f.ondata = (err, chunk) => {
      if (err) error ??= new Error(`The zip entry ${f.name} is damaged: ${err.message}`);
      else if (!error) {
        try {
          sink(chunk);
        } catch (e) {
          error = e;
        }
      }
    };
    f.start();
  });
  unzip.register(UnzipInflate);
  const reader = zipFile.stream().getReader();
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    try {
      unzip.push(value);
    } catch (e) {
      throw new Error(`${zipFile.name} is not a readable zip file: ${(e as Error).message}`);
    }
    if (error) throw error;
    read += value.byteLength;
    ctx.progress('reading zip', read, zipFile.size, zipFile.name);
    ctx.throwIfCancelled();
  }
  unzip.push(new Uint8Array(0), true);
  if (error) throw error;
}
