import { describe, expect, it } from 'vitest';
import { selectForTask, makeTask, STUDY_TASKS, type TaskExample } from '../../../src/core/dataset/tasks';
import { assignSplits, idsInSplit } from '../../../src/core/dataset/splits';
import { assertNoTestImages, TestSplitLeakError } from '../../../src/core/dataset/test-lock';
import { createRng, shuffleInPlace } from '../../../src/core/random';
import type { SplitConfig } from '../../../src/core/dataset/types';

const hex = (n: number) => n.toString(16).padStart(64, '0');

describe('task selection', () => {
  const images = [
    { id: hex(1), labels: ['normal'], patientGroup: null },
    { id: hex(2), labels: ['pneumonia'], patientGroup: null },
    { id: hex(3), labels: ['bronchitis'], patientGroup: null },
    { id: hex(4), labels: ['bronchitis', 'pneumonia'], patientGroup: null },
    { id: hex(5), labels: [], patientGroup: null },
  ];
  it('excludes other findings by default and never uses them as normals', () => {
    const sel = selectForTask(images, STUDY_TASKS[0]);
    expect(sel.examples.map((e) => [e.id, e.label])).toEqual([
      [hex(1), 0],
      [hex(2), 1],
    ]);
    expect(sel.excludedCounts).toEqual({ unlabelled: 1, 'other-finding': 1, 'positive-with-other-finding': 1 });
  });
  it('applies the other policies as documented', () => {
    const keep = selectForTask(images, makeTask('pneumonia', 'positives-keep-cofindings'));
    expect([keep.positives, keep.negatives]).toEqual([2, 1]);
    const rest = selectForTask(images, makeTask('pneumonia', 'other-as-negative'));
    expect([rest.positives, rest.negatives]).toEqual([2, 2]);
    expect(() => makeTask('normal')).toThrow();
  });
});

function population(n: number, positiveEvery: number, perPatient: number): TaskExample[] {
  return Array.from({ length: n }, (_, i) => ({
    id: hex(i * 7919 + 13),
    label: (i % positiveEvery === 0 ? 1 : 0) as 0 | 1,
    patientGroup: perPatient > 1 ? `p${Math.floor(i / perPatient)}` : null,
  }));
}

const config: SplitConfig = { seed: 42, fractions: { train: 0.7, val: 0.15, test: 0.15 }, keepOfficialTest: true };

describe('splits', () => {
  it('is deterministic for a seed, independent of input order, and changes with the seed', () => {
    const ex = population(500, 5, 1);
    const a = assignSplits(ex, 't', config).assignment.assignments;
    const shuffled = shuffleInPlace([...ex], createRng(9));
    expect(assignSplits(shuffled, 't', config).assignment.assignments).toEqual(a);
    const b = assignSplits(ex, 't', { ...config, seed: 43 }).assignment.assignments;
    expect(b).not.toEqual(a);
  });

  it('stratifies: each split holds its fraction of each class', () => {
    const ex = population(1000, 10, 1); // 100 positives, 900 negatives
    const { counts } = assignSplits(ex, 't', config);
    expect(counts.train.positives).toBe(70);
    expect(counts.val.positives).toBe(15);
    expect(counts.test.positives).toBe(15);
    expect(counts.train.negatives).toBe(630);
    expect(counts.test.negatives).toBe(135);
    expect(counts.test.imbalanceRatio).toBeCloseTo(9, 5);
  });

  it('keeps every patient in one split, with proportions still close', () => {
    const ex = population(1200, 4, 3);
    const { assignment, counts } = assignSplits(ex, 't', config);
    const splitOfPatient = new Map<string, string>();
    for (const e of ex) {
      const s = assignment.assignments[e.id];
      const prev = splitOfPatient.get(e.patientGroup!);
      if (prev) expect(s).toBe(prev);
      splitOfPatient.set(e.patientGroup!, s);
    }
    expect(Math.abs(counts.train.total / 1200 - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(counts.test.positives / 300 - 0.15)).toBeLessThan(0.03);
  });

  it('does not depend on the group hashes (salt), only on the grouping', () => {
    const ex = population(300, 3, 2);
    const resalted = ex.map((e) => ({ ...e, patientGroup: `salted-${e.patientGroup}-x` }));
    expect(assignSplits(resalted, 't', config).assignment.assignments).toEqual(assignSplits(ex, 't', config).assignment.assignments);
  });

  it('keeps the official test split and draws train/val from the rest', () => {
    const ex = population(400, 4, 1).map((e, i) => ({ ...e, officialSplit: i < 100 ? ('test' as const) : ('train' as const) }));
    const r = assignSplits(ex, 't', config);
    expect(r.assignment.officialTestKept).toBe(true);
    expect(idsInSplit(r.assignment, 'test')).toEqual(ex.slice(0, 100).map((e) => e.id).sort());
    expect(r.counts.val.total).toBe(Math.round((300 * 0.15) / 0.85));
    const ignored = assignSplits(ex, 't', { ...config, keepOfficialTest: false });
    expect(ignored.assignment.officialTestKept).toBe(false);
    expect(idsInSplit(ignored.assignment, 'test')).not.toEqual(idsInSplit(r.assignment, 'test'));
  });

  it('excludes non-test images of a patient who is in the official test split', () => {
    const ex: TaskExample[] = [
      { id: hex(1), label: 1, patientGroup: 'p', officialSplit: 'test' },
      { id: hex(2), label: 1, patientGroup: 'p', officialSplit: 'train' },
      { id: hex(3), label: 0, patientGroup: 'q', officialSplit: 'train' },
    ];
    const r = assignSplits(ex, 't', config);
    expect(r.excluded).toEqual([{ id: hex(2), reason: 'patient-in-official-test' }]);
    expect(r.assignment.assignments[hex(2)]).toBeUndefined();
  });

  it('validates fractions and duplicate ids', () => {
    expect(() => assignSplits(population(10, 2, 1), 't', { ...config, fractions: { train: 0.5, val: 0.2, test: 0.2 } })).toThrow(/sum to 1/);
    const ex = population(3, 2, 1);
    expect(() => assignSplits([...ex, ex[0]], 't', config)).toThrow(/twice/);
  });
});

describe('test-split lock', () => {
  it('throws a clear error when a test image is used for training', () => {
    const ex = population(100, 4, 1);
    const { assignment } = assignSplits(ex, 'pneumonia-vs-normal', config);
    const train = idsInSplit(assignment, 'train');
    expect(() => assertNoTestImages(train, assignment, 'training')).not.toThrow();
    const leak = [...train.slice(0, 5), idsInSplit(assignment, 'test')[0]];
    expect(() => assertNoTestImages(leak, assignment, 'synthesis-source')).toThrow(TestSplitLeakError);
    expect(() => assertNoTestImages(leak, assignment, 'early-stopping')).toThrow(/test split is locked: 1 test image\(s\) of task "pneumonia-vs-normal" were passed to early-stopping/);
  });
});
