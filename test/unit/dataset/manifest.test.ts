import { describe, expect, it } from 'vitest';
import { buildManifest, exportManifest, importManifest, applyManifest, ManifestError } from '../../../src/core/dataset/manifest';
import { assignSplits } from '../../../src/core/dataset/splits';
import { selectForTask, STUDY_TASKS } from '../../../src/core/dataset/tasks';
import type { ManifestImage } from '../../../src/core/dataset/types';

const hex = (n: number) => n.toString(16).padStart(64, '0');

function sample() {
  const images: ManifestImage[] = Array.from({ length: 40 }, (_, i) => ({
    id: hex(i + 1),
    labels: [i % 4 === 0 ? 'pneumonia' : 'normal'],
    origin: 'real',
    sourcePath: `train/x/${i}.jpeg`,
    patientGroup: null,
  }));
  const task = STUDY_TASKS[0];
  const split = assignSplits(selectForTask(images, task).examples, task.id, { seed: 7, fractions: { train: 0.6, val: 0.2, test: 0.2 }, keepOfficialTest: true });
  return buildManifest({ name: 'kermany subset', images, tasks: [task], splits: [split.assignment], labelMergePolicy: 'majority', canonicalMaxSide: 512, createdAt: new Date(0) });
}

describe('dataset manifest', () => {
  it('round-trips through JSON unchanged and exports deterministically', () => {
    const m = sample();
    const json = exportManifest(m);
    expect(importManifest(json)).toEqual(m);
    expect(exportManifest(importManifest(json))).toBe(json);
  });

  it('gives clear errors with JSON paths', () => {
    expect(() => importManifest('{nope')).toThrow(/not JSON/);
    expect(() => importManifest(JSON.stringify({ ...sample(), version: 2 }))).toThrow(/unsupported manifest version 2/);
    const bad = JSON.parse(exportManifest(sample()));
    bad.images[3].id = 'xyz';
    bad.splits[0].taskId = 'other';
    try {
      importManifest(JSON.stringify(bad));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ManifestError);
      const problems = (e as ManifestError).problems.join('\n');
      expect(problems).toMatch(/images\.3\.id: must be a lowercase SHA-256 hex string/);
      expect(problems).toMatch(/splits\.0\.taskId: split refers to unknown task "other"/);
    }
  });

  it('reports missing and extra images when applied to an import', () => {
    const m = sample();
    const present = [...m.images.slice(2).map((i) => i.id), hex(999)];
    const { match, splits } = applyManifest(m, present);
    expect(match.missing.map((i) => i.id)).toEqual([hex(1), hex(2)]);
    expect(match.extra).toEqual([hex(999)]);
    expect(Object.keys(splits[0].assignments)).toHaveLength(38);
    expect(splits[0].assignments[hex(5)]).toBe(m.splits[0].assignments[hex(5)]);
  });
});
