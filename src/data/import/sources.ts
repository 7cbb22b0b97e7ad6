// Turns the picked files into one stream of source items: plain files are read only when
// their turn comes; a .zip is streamed entry by entry (zip-reader.ts), so neither a
// folder of 10,000 files nor a multi-GB archive is ever held in memory at once.
import type { ImportFileError } from '../../core/dataset/dataset-record';
import { checkFileSize } from '../decode-file';
import { DEFAULT_DECODE_LIMITS } from '../decode-types';
import { readZipEntries, SKIPPED } from '../zip-reader';
import type { ImportFileInput } from './import-types';
import { zipEntryNames } from './zip-index';

export type SourceItem = { path: string; read: () => Promise<Uint8Array> } | { path: string; error: ImportFileError };

const isZip = (f: ImportFileInput) => /\.zip$/i.test(f.path);
/** A zip's entries are named `<zip path>/<entry path>`, so folder labels inside still apply. */
const zipEntryPath = (zip: ImportFileInput, entry: string) => `${zip.path}/${entry}`;

export interface SourcePlan {
  /** every source path the import will see, when known in advance */
  paths: string[];
  /** false when a zip's directory could not be read; the total then grows while reading */
  exact: boolean;
}

export async function planSources(files: readonly ImportFileInput[]): Promise<SourcePlan> {
  const paths: string[] = [];
  let exact = true;
  for (const f of files) {
    if (SKIPPED.test(f.path)) continue;
    if (!isZip(f)) {
      paths.push(f.path);
      continue;
    }
    const names = await zipEntryNames(f.file).catch(() => null);
    if (names) for (const n of names) paths.push(zipEntryPath(f, n));
    else exact = false;
  }
  return { paths, exact };
}

/** Yields items in input order, skipping paths for which `skip` is true (finished in an earlier run). */
export async function* iterateSources(files: readonly ImportFileInput[], skip: (path: string) => boolean, signal: AbortSignal): AsyncGenerator<SourceItem> {
  for (const f of files) {
    if (signal.aborted) return;
    if (SKIPPED.test(f.path) || skip(f.path)) continue;
    if (!isZip(f)) {
      const sizeError = checkFileSize(f.path, f.file.size, DEFAULT_DECODE_LIMITS);
      if (sizeError) {
        yield { path: f.path, error: sizeError };
        continue;
      }
      yield {
        path: f.path,
        read: async () => {
          try {
            return new Uint8Array(await f.file.arrayBuffer());
          } catch (e) {
            throw Object.assign(new Error(`the file could not be read: ${(e as Error).message}`), { unreadable: true });
          }
        },
      };
      continue;
    }
    try {
      for await (const entry of readZipEntries(f.file, { filter: (p) => !skip(zipEntryPath(f, p)), signal, maxEntryBytes: DEFAULT_DECODE_LIMITS.maxFileBytes })) {
        if ('error' in entry) {
          const e = entry.error;
          yield { path: zipEntryPath(f, e.path), error: { path: zipEntryPath(f, e.path), reason: e.reason, message: e.message } };
        } else {
          const bytes = entry.bytes;
          yield { path: zipEntryPath(f, entry.path), read: async () => bytes };
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      // A broken archive structure ends that archive, not the import.
      yield { path: f.path, error: { path: f.path, reason: 'corrupt', message: (e as Error).message } };
    }
  }
}
