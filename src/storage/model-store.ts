// Model files in the Origin Private File System (models/<id>/<relative path>) plus one
// record per model in the `models` store. A model is usable only when its record says
// 'ready', which the downloader/importer sets after every file is complete and verified;
// partial files live next to their final name as "<name>.partial" until verified.
//
// Readers (diffusion and classifier workers) use modelFile()/modelFileUrl(): ORT takes
// a model or its external data as bytes or as a URL, and one ArrayBuffer is capped near
// 2 GB in Chrome, so big files (SD-1.5's 3.4 GB unet/weights.pb) must go as blob: URLs.
import type { FileCheck, ModelEntry, ModelKind, ModelVariant } from '../core/models/catalog';
import type { OnnxComponent } from '../core/models/layout';
import { rethrowStorageError } from './errors';
import { stores } from './stores';

export type ModelStatus = 'downloading' | 'ready' | 'failed';

export interface StoredModelFile {
  path: string;
  /** bytes stored (complete files) or received so far (partial ones) */
  bytes: number;
  /** SHA-256 of the complete file; null until complete */
  sha256: string | null;
  md5?: string | null;
  complete: boolean;
  /** what the file was verified against when it completed */
  check: FileCheck;
}

export interface StoredModel {
  id: string;
  origin: 'catalog' | 'local';
  name: string;
  kind: ModelKind;
  variant: ModelVariant;
  requiresShaderF16: boolean;
  /** the catalog entry as it was when the download started (null for local imports) */
  entry: ModelEntry | null;
  status: ModelStatus;
  files: Record<string, StoredModelFile>;
  /** why the last download/import failed, or that it was cancelled */
  error: string | null;
  /** diffusion pipelines: external weight files per ONNX component, tokenizer form */
  layout?: { externalData: Partial<Record<OnnxComponent, string[]>>; tokenizer: 'tokenizer.json' | 'vocab+merges' | null };
  createdAt: number;
  updatedAt: number;
}

/** Chrome caps one ArrayBuffer just under 2 GiB; a bigger file must be read as a Blob/URL. */
export const MAX_ARRAY_BUFFER_BYTES = 2 ** 31 - 1;

export const MODELS_DIR = 'models';
const PARTIAL_SUFFIX = '.partial';

export class ModelNotReadyError extends Error {
  constructor(id: string, detail: string) {
    super(`Model ${id} is not ready: ${detail}. Download or import it on the Models page.`);
    this.name = 'ModelNotReadyError';
  }
}

export async function listModels(): Promise<StoredModel[]> {
  return (await stores.models.entries()).map(([, m]) => m).sort((a, b) => a.name.localeCompare(b.name));
}

export function getModel(id: string): Promise<StoredModel | undefined> {
  return stores.models.get(id);
}

export async function saveModel(m: StoredModel): Promise<void> {
  m.updatedAt = Date.now();
  await stores.models.put(m.id, m);
}

async function root(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('This browser has no Origin Private File System; models cannot be stored.');
  return navigator.storage.getDirectory();
}

async function fileLocation(id: string, path: string, create: boolean): Promise<{ dir: FileSystemDirectoryHandle; name: string }> {
  const parts = [MODELS_DIR, id, ...path.split('/')];
  const name = parts.pop()!;
  let dir = await root();
  for (const p of parts) dir = await dir.getDirectoryHandle(p, { create });
  return { dir, name };
}

/** Deletes the record first: a failure half-way must never leave a 'ready' record whose files are gone. */
export async function deleteModel(id: string): Promise<void> {
  await stores.models.delete(id);
  try {
    const models = await (await root()).getDirectoryHandle(MODELS_DIR);
    await models.removeEntry(id, { recursive: true });
  } catch (e) {
    if ((e as DOMException)?.name !== 'NotFoundError') throw e;
  }
}

async function requireReady(id: string, path: string): Promise<void> {
  const m = await getModel(id);
  if (!m) throw new ModelNotReadyError(id, 'it is not in local storage');
  if (m.status !== 'ready') throw new ModelNotReadyError(id, `its status is "${m.status}"${m.error ? ` (${m.error})` : ''}`);
  if (!m.files[path]?.complete) throw new ModelNotReadyError(id, `it has no file "${path}"`);
}

/** A verified file of a ready model, as a File backed by OPFS (no copy in memory). */
export async function modelFile(id: string, path: string): Promise<File> {
  await requireReady(id, path);
  const { dir, name } = await fileLocation(id, path, false);
  return (await dir.getFileHandle(name)).getFile();
}

/**
 * The file's bytes, for ORT's `InferenceSession.create(bytes)` or `externalData: [{path, data: bytes}]`.
 * Refuses files over the ArrayBuffer cap; use modelFileUrl for those.
 */
export async function modelFileBytes(id: string, path: string): Promise<Uint8Array> {
  const f = await modelFile(id, path);
  if (f.size > MAX_ARRAY_BUFFER_BYTES) {
    throw new Error(`${id}/${path} is ${f.size} bytes, over the browser's ~2 GB limit for one buffer: pass modelFileUrl(...) to ONNX Runtime (e.g. externalData: [{ path, data: url }]) instead.`);
  }
  return new Uint8Array(await f.arrayBuffer());
}

/** A blob: URL for the file (works for any size); the caller revokes it with URL.revokeObjectURL. */
export async function modelFileUrl(id: string, path: string): Promise<string> {
  return URL.createObjectURL(await modelFile(id, path));
}

/** Size of a finished (renamed) file, or null when it does not exist. */
export async function storedFileSize(id: string, path: string): Promise<number | null> {
  try {
    const { dir, name } = await fileLocation(id, path, false);
    return (await (await dir.getFileHandle(name)).getFile()).size;
  } catch {
    return null;
  }
}

/**
 * A "<path>.partial" file opened for synchronous in-place writes (dedicated workers only).
 * Sync access handles write in place, so a flush() makes received bytes durable without
 * copying the file — createWritable() would copy the whole file on every reopen.
 */
export interface PartialFile {
  readonly size: number;
  write(chunk: Uint8Array, at: number): void;
  read(into: Uint8Array, at: number): number;
  truncate(bytes: number): void;
  flush(): void;
  close(): void;
}

export async function openPartial(id: string, path: string): Promise<PartialFile> {
  try {
    const { dir, name } = await fileLocation(id, path, true);
    const fh = await dir.getFileHandle(name + PARTIAL_SUFFIX, { create: true });
    const handle = await fh.createSyncAccessHandle();
    const what = `model file ${id}/${path}`;
    return {
      get size() {
        return handle.getSize();
      },
      write(chunk, at) {
        try {
          const n = handle.write(chunk as Uint8Array<ArrayBuffer>, { at });
          if (n !== chunk.byteLength) throw new DOMException(`short write to ${what}`, 'QuotaExceededError');
        } catch (e) {
          rethrowStorageError(e, what);
        }
      },
      read: (into, at) => handle.read(into as Uint8Array<ArrayBuffer>, { at }),
      truncate: (bytes) => handle.truncate(bytes),
      flush: () => handle.flush(),
      close: () => handle.close(),
    };
  } catch (e) {
    rethrowStorageError(e, `model file ${id}/${path}`);
  }
}

/** Renames a verified "<path>.partial" to "<path>", replacing any older file of that name. */
export async function finalizePartial(id: string, path: string): Promise<void> {
  const { dir, name } = await fileLocation(id, path, true);
  await dir.removeEntry(name).catch(() => undefined);
  const fh = (await dir.getFileHandle(name + PARTIAL_SUFFIX)) as FileSystemFileHandle & { move(name: string): Promise<void> };
  await fh.move(name);
}

export async function removePartial(id: string, path: string): Promise<void> {
  try {
    const { dir, name } = await fileLocation(id, path, false);
    await dir.removeEntry(name + PARTIAL_SUFFIX);
  } catch {
    // nothing to remove
  }
}

/** Bytes already received for a partial file (0 when none). */
export async function partialSize(id: string, path: string): Promise<number> {
  try {
    const { dir, name } = await fileLocation(id, path, false);
    return (await (await dir.getFileHandle(name + PARTIAL_SUFFIX)).getFile()).size;
  } catch {
    return 0;
  }
}
