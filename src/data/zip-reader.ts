// Streaming zip reading over a Blob/File with fflate's Unzip: the archive is read in
// chunks through Blob.stream(), and each entry's data is handed out whole (one image at a
// time), so memory holds one chunk plus the entries not yet consumed.
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';

export interface ZipEntry {
  /** path inside the archive, `/`-separated */
  path: string;
  bytes: Uint8Array;
}

export interface ZipEntryError {
  path: string;
  reason: 'corrupt' | 'truncated' | 'unsupported-format' | 'too-large';
  message: string;
}

export interface ZipReadOptions {
  /** entries larger than this (uncompressed) are skipped with an error */
  maxEntryBytes?: number;
  /** return false to skip an entry without inflating it (e.g. already imported) */
  filter?: (path: string) => boolean;
  signal?: AbortSignal;
}

/** Archive clutter that is never an image (macOS resource forks, Finder/Explorer files). */
export const SKIPPED = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;

/**
 * Yields the archive's file entries in order, or an error for entries that cannot be
 * read (unsupported compression, corrupt deflate data, too large). A broken archive
 * structure throws.
 */
export async function* readZipEntries(blob: Blob, options: ZipReadOptions = {}): AsyncGenerator<ZipEntry | { error: ZipEntryError }> {
  const maxEntry = options.maxEntryBytes ?? 1024 * 1024 * 1024;
  const ready: (ZipEntry | { error: ZipEntryError })[] = [];
  let fatal: unknown = null;
  // Entries whose data has started but not ended: left over at the end = cut-off archive.
  const pending = new Set<string>();

  const unzip = new Unzip((file: UnzipFile) => {
    const path = file.name.replace(/\\/g, '/');
    if (path.endsWith('/') || SKIPPED.test(path) || (options.filter && !options.filter(path))) {
      // fflate's Unzip loses its place when an entry is not started, so skipped entries
      // are read and dropped rather than left alone.
      file.ondata = () => {};
      file.start();
      return;
    }
    if (file.originalSize !== undefined && file.originalSize > maxEntry) {
      ready.push({ error: { path, reason: 'too-large', message: `zip entry of ${file.originalSize} bytes exceeds ${maxEntry}` } });
      file.ondata = () => {};
      file.start();
      return;
    }
    if (file.compression !== 0 && file.compression !== 8) {
      ready.push({ error: { path, reason: 'unsupported-format', message: `zip compression method ${file.compression} is not supported (stored and deflate are)` } });
      return;
    }
    pending.add(path);
    const chunks: Uint8Array[] = [];
    let size = 0;
    let failed = false;
    file.ondata = (err, data, final) => {
      if (failed) return;
      if (err || final) pending.delete(path);
      if (err) {
        failed = true;
        ready.push({ error: { path, reason: 'corrupt', message: `zip entry could not be inflated: ${err.message}` } });
        return;
      }
      size += data.length;
      if (size > maxEntry) {
        failed = true;
        pending.delete(path);
        file.terminate();
        ready.push({ error: { path, reason: 'too-large', message: `zip entry exceeds ${maxEntry} bytes` } });
        return;
      }
      chunks.push(data);
      if (final) ready.push({ path, bytes: concat(chunks, size) });
    };
    file.start();
  });
  unzip.register(UnzipInflate);

  const reader = blob.stream().getReader();
  try {
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      const { done, value } = await reader.read();
      try {
        unzip.push(done ? new Uint8Array(0) : value, done);
      } catch (e) {
        fatal = e;
      }
      while (ready.length > 0) yield ready.shift()!;
      // At the end of a cut-off archive fflate reports invalid data; the entries it was
      // inside are reported as truncated below instead.
      if (fatal && !(done && pending.size > 0)) throw new Error(`the zip archive is corrupt: ${(fatal as Error).message ?? String(fatal)}`);
      if (done) break;
    }
    for (const path of pending) yield { error: { path, reason: 'truncated', message: 'the zip archive ends inside this entry' } };
  } finally {
    reader.releaseLock();
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
