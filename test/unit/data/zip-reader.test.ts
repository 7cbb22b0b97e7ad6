import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readZipEntries, type ZipEntry, type ZipEntryError } from '../../../src/data/zip-reader';

async function collect(blob: Blob, opts = {}) {
  const entries: ZipEntry[] = [];
  const errors: ZipEntryError[] = [];
  for await (const e of readZipEntries(blob, opts)) {
    if ('error' in e) errors.push(e.error);
    else entries.push(e);
  }
  return { entries, errors };
}

describe('streaming zip reader', () => {
  const big = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
  const zip = zipSync({
    'set/train/NORMAL/a.png': [strToU8('A'.repeat(1000)), { level: 6 }],
    'set/train/PNEUMONIA/b.dcm': [big, { level: 0 }],
    'set/readme.txt': strToU8('hi'),
    '__MACOSX/set/._a.png': strToU8('junk'),
  });

  it('yields every file with its path and bytes, across many small chunks', async () => {
    // A Blob built from 1-KiB parts streams in small chunks, like a large File would.
    const parts: Uint8Array[] = [];
    for (let i = 0; i < zip.length; i += 1024) parts.push(zip.slice(i, i + 1024));
    const { entries, errors } = await collect(new Blob(parts as Uint8Array<ArrayBuffer>[]));
    expect(errors).toEqual([]);
    expect(entries.map((e) => e.path)).toEqual(['set/train/NORMAL/a.png', 'set/train/PNEUMONIA/b.dcm', 'set/readme.txt']);
    expect(new TextDecoder().decode(entries[0].bytes)).toBe('A'.repeat(1000));
    expect(entries[1].bytes).toEqual(big);
  });

  it('skips filtered entries and reports oversized and cut-off ones', async () => {
    const filtered = await collect(new Blob([zip as Uint8Array<ArrayBuffer>]), { filter: (p: string) => p.endsWith('.png') });
    expect(filtered.entries.map((e) => e.path)).toEqual(['set/train/NORMAL/a.png']);
    const limited = await collect(new Blob([zip as Uint8Array<ArrayBuffer>]), { maxEntryBytes: 100_000 });
    expect(limited.errors.map((e) => [e.path, e.reason])).toEqual([['set/train/PNEUMONIA/b.dcm', 'too-large']]);
    const cut = await collect(new Blob([zip.slice(0, 200_000) as Uint8Array<ArrayBuffer>]));
    expect(cut.entries.map((e) => e.path)).toEqual(['set/train/NORMAL/a.png']);
    expect(cut.errors.map((e) => [e.path, e.reason])).toEqual([['set/train/PNEUMONIA/b.dcm', 'truncated']]);
  });
});
