// Reads the shared reference fixtures (../shared/fixtures relative to the repo root) in place.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = resolve(here, '../../../../shared/fixtures');
export const TINY = resolve(FIXTURES, 'diffusion-tiny');
export const TOKENIZER_DIR = resolve(FIXTURES, 'tokenizer-clip');
export const fixturesPresent = existsSync(TINY) && existsSync(TOKENIZER_DIR);

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readText(path)) as T;
}

interface ArrayEntry {
  file: string;
  dtype: 'float32' | 'int64' | 'uint8';
  shape: number[];
}

let index: Record<string, ArrayEntry> | undefined;

function arrayEntry(name: string): ArrayEntry {
  index ??= readJson<{ arrays: Record<string, ArrayEntry> }>(resolve(TINY, 'refs/index.json')).arrays;
  const entry = index[name];
  if (!entry) throw new Error(`fixture array ${name} not in refs/index.json`);
  return entry;
}

function readBytes(entry: ArrayEntry): ArrayBuffer {
  const buf = readFileSync(resolve(TINY, entry.file));
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export function refShape(name: string): number[] {
  return arrayEntry(name).shape;
}

export function refF32(name: string): Float32Array {
  const entry = arrayEntry(name);
  if (entry.dtype !== 'float32') throw new Error(`${name} is ${entry.dtype}`);
  return new Float32Array(readBytes(entry));
}

export function refI64AsNumbers(name: string): number[] {
  const entry = arrayEntry(name);
  if (entry.dtype !== 'int64') throw new Error(`${name} is ${entry.dtype}`);
  return Array.from(new BigInt64Array(readBytes(entry)), Number);
}

export function refU8(name: string): Uint8Array {
  const entry = arrayEntry(name);
  if (entry.dtype !== 'uint8') throw new Error(`${name} is ${entry.dtype}`);
  return new Uint8Array(readBytes(entry));
}

/** max|a−b| / max(max|ref|, 1e-6), the fixtures README criterion; NaN anywhere gives NaN. */
export function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`length mismatch ${a.length} vs ${ref.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - ref[i]);
    if (Number.isNaN(d)) return NaN;
    maxDiff = Math.max(maxDiff, d);
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-6);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return NaN;
    m = Math.max(m, d);
  }
  return m;
}
