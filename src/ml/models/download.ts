// Downloads a catalog model into OPFS: streamed file by file, resumable with HTTP Range,
// hashed incrementally, verified, and only then marked ready. Runs in the models worker.
import { JobCancelledError, isCancellation } from '../../core/jobs';
import { formatBytes } from '../../core/format';
import { fileCheck, urlHost, type ModelEntry, type ModelFile } from '../../core/models/catalog';
import { verifyFile, ModelVerificationError } from '../../core/models/verify';
import { storageShortfall } from '../../core/models/space';
import { getModel, openPartial, finalizePartial, partialSize, removePartial, saveModel, storedFileSize, type PartialFile, type StoredModel } from '../../storage/model-store';
import { storageStatus } from '../../storage/quota';
import { StorageFullError } from '../../storage/errors';
import type { TaskContext } from './context';
import { FileHasher, rehashPrefix } from './hashing';

export interface DownloadOptions {
  /** bandwidth limit for metered or shared connections; unlimited when absent */
  maxBytesPerSecond?: number;
}

export interface DownloadResult {
  modelId: string;
  resultIds: string[];
  /** files fetched with a Range request continuing an earlier partial download */
  resumedFiles: string[];
  /** files whose server ignored the Range request, so they restarted from byte 0 */
  restartedFiles: string[];
  bytesFetched: number;
}

/** Bytes between durable flushes of the partial file: what a crash can lose at most. */
const FLUSH_EVERY = 16 * 1024 * 1024;
/** Largest slice written (and throttled) at once, so cancel and progress stay responsive. */
const SLICE = 256 * 1024;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

function hostOf(url: string): string {
  return urlHost(url) ?? location.host;
}

function parseContentRange(v: string | null): { start: number; total: number | null } | null {
  const m = v && /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(v.trim());
  if (!m) return null;
  return { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

function parseUnsatisfiedTotal(v: string | null): number | null {
  const m = v && /^bytes\s+\*\/(\d+)$/i.exec(v.trim());
  return m ? Number(m[1]) : null;
}

export function newStoredModel(entry: ModelEntry): StoredModel {
  const now = Date.now();
  return {
    id: entry.id,
    origin: 'catalog',
    name: entry.name,
    kind: entry.kind,
    variant: entry.variant,
    requiresShaderF16: entry.requiresShaderF16,
    entry,
    status: 'downloading',
    files: {},
    error: null,
    createdAt: now,
    updatedAt: now,
  };
}

const sameSpec = (a: ModelFile | undefined, b: ModelFile) => JSON.stringify(a ?? null) === JSON.stringify(b);

export async function downloadModel(entry: ModelEntry, ctx: TaskContext, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const result: DownloadResult = { modelId: entry.id, resultIds: [entry.id], resumedFiles: [], restartedFiles: [], bytesFetched: 0 };
  const existing = await getModel(entry.id);
  if (existing?.origin === 'local') throw new Error(`A locally imported model already uses the id ${entry.id}; delete it first.`);
  if (existing?.status === 'ready' && JSON.stringify(existing.entry) === JSON.stringify(entry)) return result;

  const rec = existing ?? newStoredModel(entry);
  // A catalog update may change a file's URL, size or hash: such files start over.
  for (const f of entry.files) {
    const before = rec.entry?.files.find((x) => x.path === f.path);
    if (rec.files[f.path] && !sameSpec(before, f)) {
      delete rec.files[f.path];
      await removePartial(entry.id, f.path);
    }
  }
  Object.assign(rec, { entry, name: entry.name, kind: entry.kind, variant: entry.variant, requiresShaderF16: entry.requiresShaderF16, status: 'downloading', error: null });
  await saveModel(rec);

  const expectedSize = (f: ModelFile) => f.bytes ?? f.approxBytes ?? 0;
  let total = entry.files.reduce((s, f) => s + expectedSize(f), 0);
  let done = 0;
  let currentFile = '';
  try {
    await checkSpace(entry, rec);
    for (const spec of entry.files) {
      currentFile = spec.path;
      const stored = rec.files[spec.path];
      if (stored?.complete && (await storedFileSize(entry.id, spec.path)) === stored.bytes) {
        done += stored.bytes;
        total += stored.bytes - expectedSize(spec);
        ctx.progress('downloading', done, total, `${spec.path}: already downloaded and verified`);
        continue;
      }
      const outcome = await downloadFile(entry, spec, ctx, opts, (fileDone, fileTotal) => {
        ctx.progress('downloading', done + fileDone, total - expectedSize(spec) + fileTotal, `${spec.path} from ${hostOf(spec.url)}`);
      });
      if (outcome.resumed) result.resumedFiles.push(spec.path);
      if (outcome.restarted) result.restartedFiles.push(spec.path);
      result.bytesFetched += outcome.fetched;
      rec.files[spec.path] = { path: spec.path, bytes: outcome.bytes, sha256: outcome.sha256, md5: outcome.md5 ?? null, complete: true, check: fileCheck(spec) };
      await saveModel(rec);
      done += outcome.bytes;
      total += outcome.bytes - expectedSize(spec);
    }
    rec.status = 'ready';
    rec.error = null;
    await saveModel(rec);
    ctx.progress('downloading', total, total, 'all files verified');
    return result;
  } catch (e) {
    rec.status = 'failed';
    rec.error = isCancellation(e)
      ? `Download cancelled during ${currentFile}; ${formatBytes(done)} of verified files are kept and Resume continues where it stopped.`
      : (e as Error).message;
    await saveModel(rec).catch(() => undefined);
    throw e;
  }
}

/** Fails before fetching anything when the files still missing cannot fit in the origin's quota. */
async function checkSpace(entry: ModelEntry, rec: StoredModel): Promise<void> {
  let needed = 0;
  for (const f of entry.files) {
    if (rec.files[f.path]?.complete) continue;
    needed += Math.max(0, (f.bytes ?? f.approxBytes ?? 0) - (await partialSize(entry.id, f.path)));
  }
  const problem = storageShortfall(entry.name, needed, await storageStatus());
  if (problem) throw new ModelStorageSpaceError(problem);
}

export class ModelStorageSpaceError extends Error {
  override name = 'ModelStorageSpaceError';
}

interface FileOutcome {
  bytes: number;
  sha256: string;
  md5?: string;
  fetched: number;
  resumed: boolean;
  restarted: boolean;
}

async function downloadFile(
  entry: ModelEntry,
  spec: ModelFile,
  ctx: TaskContext,
  opts: DownloadOptions,
  onProgress: (fileDone: number, fileTotal: number) => void,
): Promise<FileOutcome> {
  const where = `${entry.id}: ${spec.path}`;
  const host = hostOf(spec.url);
  let partial: PartialFile | null = await openPartial(entry.id, spec.path);
  let removeAfterClose = false;
  try {
    let have = partial.size;
    let hasher = new FileHasher(Boolean(spec.md5));
    let fileTotal = spec.bytes ?? spec.approxBytes ?? 0;
    if (spec.bytes !== undefined && have > spec.bytes) {
      partial.truncate(0);
      have = 0;
    }
    if (have > 0) {
      await rehashPrefix(partial, have, hasher, async (n) => {
        ctx.progress('checking the partial download', n, have, `${spec.path}: re-hashing ${formatBytes(have)} received earlier`);
        ctx.throwIfCancelled();
      });
    }
    const resumedFrom = have;
    let restarted = false;
    const startOver = () => {
      partial!.truncate(0);
      hasher = new FileHasher(Boolean(spec.md5));
      have = 0;
      restarted = true;
    };

    let res = await fetchRange(spec.url, have, ctx.signal, where, host);
    if (have > 0) {
      if (res.status === 206) {
        const range = parseContentRange(res.headers.get('Content-Range'));
        if (!range || range.start !== have) {
          // A range other than the one asked for: trust nothing, fetch the whole file.
          await res.body?.cancel();
          startOver();
          res = await fetchRange(spec.url, 0, ctx.signal, where, host);
        }
      } else if (res.status === 416) {
        await res.body?.cancel();
        const serverTotal = parseUnsatisfiedTotal(res.headers.get('Content-Range'));
        if (serverTotal !== have) {
          startOver();
          res = await fetchRange(spec.url, 0, ctx.signal, where, host);
        }
      } else if (res.status === 200) {
        // The server ignored Range and sends the whole file: restart this file from it.
        startOver();
      }
    }
    if (!res.ok) {
      throw new Error(`${where}: download from ${host} failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`);
    }

    if (res.status !== 416) {
      const declared = res.status === 206 ? parseContentRange(res.headers.get('Content-Range'))?.total ?? null : res.headers.get('Content-Encoding') ? null : Number(res.headers.get('Content-Length') ?? NaN);
      if (declared !== null && Number.isFinite(declared)) {
        if (spec.bytes !== undefined && declared !== spec.bytes) {
          await res.body?.cancel();
          removeAfterClose = true;
          throw new ModelVerificationError(
            entry.id,
            spec.path,
            'size',
            String(spec.bytes),
            String(declared),
            `${where}: size mismatch — the catalog says ${spec.bytes.toLocaleString('en-US')} bytes but ${host} serves ${declared.toLocaleString('en-US')} bytes. Nothing was kept; the catalog entry or the server file is wrong.`,
          );
        }
        fileTotal = declared;
      }
      if (!res.body) throw new Error(`${where}: ${host} sent no response body.`);
      const reader = res.body.getReader();
      const t0 = performance.now();
      let fetchedHere = 0;
      let sinceFlush = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (let off = 0; off < value.byteLength; off += SLICE) {
            const slice = value.subarray(off, Math.min(off + SLICE, value.byteLength));
            if (spec.bytes !== undefined && have + slice.byteLength > spec.bytes) {
              removeAfterClose = true;
              throw new ModelVerificationError(entry.id, spec.path, 'size', String(spec.bytes), `more than ${spec.bytes}`, `${where} is larger than the catalog says: expected ${spec.bytes.toLocaleString('en-US')} bytes, received more. Nothing was kept.`);
            }
            partial.write(slice, have);
            hasher.update(slice);
            have += slice.byteLength;
            fetchedHere += slice.byteLength;
            sinceFlush += slice.byteLength;
            if (sinceFlush >= FLUSH_EVERY) {
              partial.flush();
              sinceFlush = 0;
            }
            onProgress(have, Math.max(fileTotal, have));
            if (opts.maxBytesPerSecond && opts.maxBytesPerSecond > 0) {
              const due = (fetchedHere / opts.maxBytesPerSecond) * 1000 - (performance.now() - t0);
              if (due > 0) await sleep(due, ctx.signal);
            }
            ctx.throwIfCancelled();
          }
        }
      } catch (e) {
        await reader.cancel().catch(() => undefined);
        if (ctx.signal.aborted && !isCancellation(e)) throw new JobCancelledError();
        // A full disk is not a network failure: StorageFullError already says what to do.
        if (!isCancellation(e) && !(e instanceof ModelVerificationError) && !(e instanceof StorageFullError)) {
          throw new Error(`${where}: the connection to ${host} failed after ${formatBytes(have)} (${(e as Error).message}). The received part is kept; Resume continues from there.`);
        }
        throw e;
      } finally {
        partial.flush();
      }
      if (spec.bytes !== undefined && have < spec.bytes) {
        throw new Error(`${where}: the transfer from ${host} ended after ${have.toLocaleString('en-US')} of ${spec.bytes.toLocaleString('en-US')} bytes. The received part is kept; Resume continues from there.`);
      }
    }

    const digest = hasher.digest();
    try {
      verifyFile(entry.id, spec, digest);
    } catch (e) {
      removeAfterClose = true;
      throw e;
    }
    partial.close();
    partial = null;
    await finalizePartial(entry.id, spec.path);
    return { ...digest, fetched: digest.bytes - (restarted ? 0 : resumedFrom), resumed: resumedFrom > 0 && !restarted, restarted };
  } finally {
    if (partial) {
      try {
        partial.close();
      } catch {
        // already closed
      }
    }
    if (removeAfterClose) await removePartial(entry.id, spec.path);
  }
}

async function fetchRange(url: string, from: number, signal: AbortSignal, where: string, host: string): Promise<Response> {
  try {
    return await fetch(url, { signal, cache: 'no-store', headers: from > 0 ? { Range: `bytes=${from}-` } : {} });
  } catch (e) {
    if (signal.aborted) throw new JobCancelledError();
    // fetch gives a bare TypeError for DNS, CORS and CSP failures alike.
    throw new Error(`${where}: could not reach ${host} (${(e as Error).message}). Check the connection; if the browser console reports a Content-Security-Policy violation, the server redirected to a host the catalog does not list.`);
  }
}
