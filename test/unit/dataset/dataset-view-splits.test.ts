import { describe, expect, it } from 'vitest';
import { classBalance, filterImages, visibleRowRange, ALL_FILTER } from '../../../src/core/dataset/dataset-view';
import { computeDatasetSplits, findingsPresent, membersOfSplit, summariseTaskSplit } from '../../../src/core/dataset/dataset-splits';
import { STUDY_TASKS } from '../../../src/core/dataset/tasks';
import { DEFAULT_SPLIT_CONFIG } from '../../../src/core/dataset/splits';
import type { ImageOrigin } from '../../../src/core/dataset/types';

const hex = (i: number) => i.toString(16).padStart(64, '0');
const img = (i: number, labels: string[], origin: ImageOrigin = 'real', patientGroup: string | null = null) => ({ id: hex(i), labels, origin, patientGroup });

describe('grid filters and class balance', () => {
  const images = [img(1, ['normal']), img(2, ['pneumonia']), img(3, []), img(4, ['pneumonia', 'bronchitis'], 'synthetic'), img(5, ['normal'], 'synthetic-demo')];
  const split = { taskId: 't', seed: 1, fractions: { train: 0.7, val: 0.15, test: 0.15 }, officialTestKept: false, testLocked: true as const, assignments: { [hex(1)]: 'train' as const, [hex(2)]: 'test' as const } };

  it('filters by label, unlabelled, origin and split (including not in the task)', () => {
    const ids = (f: Partial<typeof ALL_FILTER>) => filterImages(images, { ...ALL_FILTER, ...f }, split).map((i) => Number.parseInt(i.id, 16));
    expect(ids({})).toEqual([1, 2, 3, 4, 5]);
    expect(ids({ label: 'pneumonia' })).toEqual([2, 4]);
    expect(ids({ label: 'unlabelled' })).toEqual([3]);
    expect(ids({ origin: 'synthetic-demo' })).toEqual([5]);
    expect(ids({ split: 'test' })).toEqual([2]);
    expect(ids({ split: 'unassigned' })).toEqual([3, 4, 5]);
    expect(ids({ label: 'normal', split: 'train', origin: 'real' })).toEqual([1]);
  });

  it('counts images per label and origin; multi-finding images count for each', () => {
    const rows = classBalance(images);
    expect(rows.find((r) => r.label === 'pneumonia')).toEqual({ label: 'pneumonia', byOrigin: { real: 1, synthetic: 1, 'synthetic-demo': 0 }, total: 2 });
    expect(rows.find((r) => r.label === 'unlabelled')?.total).toBe(1);
    expect(rows.find((r) => r.label === 'normal')?.byOrigin).toEqual({ real: 1, synthetic: 0, 'synthetic-demo': 1 });
    expect(findingsPresent(images)[0]).toEqual({ finding: 'normal', images: 2 });
  });

  it('renders only the visible rows plus overscan', () => {
    expect(visibleRowRange(0, 480, 76, 10_000 / 8)).toEqual({ first: 0, last: 9 });
    expect(visibleRowRange(76 * 500, 480, 76, 1250)).toEqual({ first: 498, last: 509 });
    expect(visibleRowRange(0, 480, 76, 0)).toEqual({ first: 0, last: -1 });
    expect(visibleRowRange(76 * 1249, 480, 76, 1250).last).toBe(1249);
  });
});

describe('dataset splits for every task', () => {
  const images = Array.from({ length: 200 }, (_, i) => img(i + 1, [i % 5 === 0 ? 'pneumonia' : i % 17 === 0 ? 'bronchopneumonia' : 'normal'], 'real', `p${Math.floor(i / 2)}`));

  it('one assignment per task, deterministic, counts add up, patients never split', () => {
    const a = computeDatasetSplits(images, STUDY_TASKS, DEFAULT_SPLIT_CONFIG);
    const b = computeDatasetSplits([...images].reverse(), STUDY_TASKS, DEFAULT_SPLIT_CONFIG);
    expect(a).toEqual(b);
    expect(a.map((s) => s.taskId)).toEqual(STUDY_TASKS.map((t) => t.id));
    const s = summariseTaskSplit(images, STUDY_TASKS[0], a[0]);
    const total = s.counts.train.total + s.counts.val.total + s.counts.test.total;
    expect(total + s.excluded).toBe(200);
    expect(s.unassigned).toBe(0);
    let pairs = 0;
    for (let p = 0; p < 100; p++) {
      const [x, y] = [a[0].assignments[hex(2 * p + 1)], a[0].assignments[hex(2 * p + 2)]];
      if (x && y) {
        pairs++;
        expect(x).toBe(y);
      }
    }
    expect(pairs).toBeGreaterThan(50);
  });

  it('membersOfSplit follows current labels: relabelled-out images leave, relabelled-in ones wait for a re-split', () => {
    const [split] = computeDatasetSplits(images, STUDY_TASKS, DEFAULT_SPLIT_CONFIG);
    const train = membersOfSplit(images, STUDY_TASKS[0], split, 'train');
    expect(train.every((m) => split.assignments[m.id] === 'train')).toBe(true);
    const moved = images.map((m) => (m.id === train[0].id ? { ...m, labels: ['bronchopneumonia'] } : m));
    expect(membersOfSplit(moved, STUDY_TASKS[0], split, 'train').map((m) => m.id)).not.toContain(train[0].id);
    const bronchoId = images.find((m) => m.labels[0] === 'bronchopneumonia')!.id;
    const into = images.map((m) => (m.id === bronchoId ? { ...m, labels: ['pneumonia'] } : m));
    expect(summariseTaskSplit(into, STUDY_TASKS[0], split).unassigned).toBe(1);
  });
});
