import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, DEFAULT_DECODE_OPTIONS } from '../../../src/data/decode-file';
import { labelFromPath } from '../../../src/core/dataset/folder-labels';

const ROOT = resolve(import.meta.dirname, '../../../../shared/data/kermany-subset');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('Kermany subset', () => {
  it('decodes all 140 files, labels them from folders and finds exactly the 3 duplicate pairs', async () => {
    const files = walk(ROOT).filter((f) => /\.jpe?g$/i.test(f)).sort();
    expect(files).toHaveLength(140);
    const byId = new Map<string, string[]>();
    const labels = { normal: 0, pneumonia: 0 } as Record<string, number>;
    for (const f of files) {
      const path = relative(ROOT, f);
      const r = await decodeFile(path, readFileSync(f), { ...DEFAULT_DECODE_OPTIONS, groupSalt: 's' });
      if (!r.ok) throw new Error(`${path}: ${r.error.message}`);
      const l = labelFromPath(path);
      expect(l.officialSplit).toBe('train');
      labels[l.labels[0]]++;
      byId.set(r.value.image.id, [...(byId.get(r.value.image.id) ?? []), path]);
    }
    expect(labels).toEqual({ normal: 70, pneumonia: 70 });
    const dups = [...byId.values()].filter((p) => p.length > 1).map((p) => p.sort().join(' = ')).sort();
    expect(dups).toEqual(['train/NORMAL/019.jpeg = train/NORMAL/020.jpeg', 'train/NORMAL/093.jpeg = train/NORMAL/094.jpeg', 'train/PNEUMONIA/019.jpeg = train/PNEUMONIA/020.jpeg']);
    expect(byId.size).toBe(137);
  });
});
