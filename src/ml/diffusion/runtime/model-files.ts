// Where a diffusers-ONNX pipeline folder is read from. Two sources:
//  - a base URL (same origin): tests and benchmarks serve fixture/local folders;
//  - OPFS models/<id>/ : what the model manager (storage/model-store.ts) downloads or
//    imports into. Read directly via navigator.storage.getDirectory(), which works in
//    dedicated workers, so the diffusion worker needs nothing from the models worker.
//    Whether the model is *ready* (verified) is the model store's record; callers check it
//    before loading (see ModelSource in diffusion-runtime.ts).
// Large files never pass through a JS ArrayBuffer here: getFile() hands ORT a URL (it
// fetches itself) or an OPFS-backed File, because one ArrayBuffer is capped near 2 GB.

export interface ModelFiles {
  /** For error messages: where the files come from. */
  readonly label: string;
  /** Text of `path` (relative to the pipeline folder), or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Bytes of `path`, or undefined when it does not exist. For files under ~2 GB. */
  readBytes(path: string): Promise<Uint8Array | undefined>;
  /** The file as something ORT loads without a copy held by us: a URL or a Blob. */
  getFile(path: string): Promise<Blob | string | undefined>;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

function normalizeRelative(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new ModelFileError(`model file path "${path}" leaves the pipeline folder`);
  return parts.join('/');
}

/**
 * Files under `baseUrl` (resolved against the current location). `overrides` maps a
 * relative path to another URL: the shared fixture keeps its tokenizer files outside the
 * pipeline folder, and tests use it to put a wrong file where a component should be.
 */
export function urlModelFiles(baseUrl: string, overrides: Record<string, string> = {}): ModelFiles {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : baseUrl + '/', self.location.href);
  const urlOf = (path: string) => {
    const rel = normalizeRelative(path);
    const o = overrides[rel];
    return o ? new URL(o, self.location.href).href : new URL(rel, base).href;
  };
  const get = async (path: string): Promise<Response | undefined> => {
    const url = urlOf(path);
    let r: Response;
    try {
      r = await fetch(url);
    } catch (e) {
      throw new ModelFileError(`could not fetch ${url}: ${(e as Error).message}`);
    }
    if (r.status === 404 || r.status === 410) return undefined;
    if (!r.ok) throw new ModelFileError(`${url}: HTTP ${r.status}`);
    // SPA servers (vite preview) answer unknown paths with index.html and 200.
    if ((r.headers.get('content-type') ?? '').includes('text/html') && !/\.html?$/.test(path)) return undefined;
    return r;
  };
  return {
    label: base.href,
    async readText(path) {
      return (await get(path))?.text();
    },
    async readBytes(path) {
      const r = await get(path);
      return r ? new Uint8Array(await r.arrayBuffer()) : undefined;
    },
    async getFile(path) {
      // HEAD would be cheaper, but not every static server answers it; a GET whose body
      // we cancel costs one round trip and no transfer.
      const r = await get(path);
      if (!r) return undefined;
      await r.body?.cancel();
      return urlOf(path);
    },
  };
}

/** Files of OPFS models/<modelId>/ (the model store's layout). */
export function opfsModelFiles(modelId: string, modelsDir = 'models'): ModelFiles {
  if (!/^[\w.-]+$/.test(modelId)) throw new ModelFileError(`invalid model id "${modelId}"`);
  const open = async (path: string): Promise<File | undefined> => {
    if (!navigator.storage?.getDirectory) throw new ModelFileError('this browser has no Origin Private File System');
    const parts = [modelsDir, modelId, ...normalizeRelative(path).split('/')];
    const name = parts.pop()!;
    try {
      let dir = await navigator.storage.getDirectory();
      for (const p of parts) dir = await dir.getDirectoryHandle(p);
      return await (await dir.getFileHandle(name)).getFile();
    } catch (e) {
      const kind = (e as DOMException)?.name;
      if (kind === 'NotFoundError' || kind === 'TypeMismatchError') return undefined;
      throw e;
    }
  };
  return {
    label: `OPFS ${modelsDir}/${modelId}/`,
    async readText(path) {
      return (await open(path))?.text();
    },
    async readBytes(path) {
      const f = await open(path);
      if (!f) return undefined;
      if (f.size > 2 ** 31 - 1) throw new ModelFileError(`${modelsDir}/${modelId}/${path} is ${f.size} bytes, too large for one buffer`);
      return new Uint8Array(await f.arrayBuffer());
    },
    getFile: open,
  };
}
