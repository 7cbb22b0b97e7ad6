// Origin Private File System for large model files: streamed in, never held twice in memory.
import { rethrowStorageError } from './errors';

export function opfsAvailable(): boolean {
  return typeof navigator !== 'undefined' && Boolean(navigator.storage?.getDirectory);
}

async function dirFor(path: string, create: boolean): Promise<{ dir: FileSystemDirectoryHandle; name: string }> {
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop();
  if (!name) throw new Error(`invalid OPFS path "${path}"`);
  let dir = await navigator.storage.getDirectory();
  for (const p of parts) dir = await dir.getDirectoryHandle(p, { create });
  return { dir, name };
}

/**
 * Writes a stream to `path` through a temporary file that is renamed only when complete,
 * so a failed or cancelled write never leaves a half file under the final name.
 */
export async function writeFileFromStream(path: string, stream: ReadableStream<Uint8Array>, onBytes?: (n: number) => void): Promise<number> {
  const { dir, name } = await dirFor(path, true);
  const tmpName = `${name}.partial`;
  const tmp = await dir.getFileHandle(tmpName, { create: true });
  const writable = await tmp.createWritable();
  let written = 0;
  try {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await writable.write(value as Uint8Array<ArrayBuffer>);
      written += value.byteLength;
      onBytes?.(written);
    }
    await writable.close();
  } catch (e) {
    await writable.abort().catch(() => undefined);
    await dir.removeEntry(tmpName).catch(() => undefined);
    rethrowStorageError(e, `model file ${path}`);
  }
  await (tmp as FileSystemFileHandle & { move(name: string): Promise<void> }).move(name);
  return written;
}

export async function readFile(path: string): Promise<File | null> {
  try {
    const { dir, name } = await dirFor(path, false);
    return await (await dir.getFileHandle(name)).getFile();
  } catch {
    return null;
  }
}

export async function removePath(path: string): Promise<void> {
  const { dir, name } = await dirFor(path, false);
  await dir.removeEntry(name, { recursive: true });
}

export async function clearOpfs(): Promise<void> {
  if (!opfsAvailable()) return;
  const root = await navigator.storage.getDirectory();
  for await (const name of (root as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> }).keys()) {
    await root.removeEntry(name, { recursive: true });
  }
}
