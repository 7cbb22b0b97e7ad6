// Splits and per-split counts for every task of a dataset, from its members' current
// labels. Pure, so the split editor's numbers are unit-tested and identical in the
// worker (after an import) and on the page (after an edit).
import { assignSplits, countSplits, validateFractions } from './splits';
import { classifyForTask, selectForTask, type TaskImage } from './tasks';
import type { TaskSplitSummary } from './dataset-record';
import type { Finding, SplitAssignment, SplitConfig, SplitName, Task } from './types';

export function computeDatasetSplits(images: readonly TaskImage[], tasks: readonly Task[], config: SplitConfig): SplitAssignment[] {
  validateFractions(config.fractions);
  return tasks.map((task) => assignSplits(selectForTask(images, task).examples, task.id, config).assignment);
}

/** Counts for the split editor; images selected by the task but missing from the stored split are `unassigned`. */
export function summariseTaskSplit(images: readonly TaskImage[], task: Task, split: SplitAssignment | undefined): TaskSplitSummary {
  const sel = selectForTask(images, task);
  const assignments = split?.assignments ?? {};
  const unassigned = sel.examples.filter((e) => !(e.id in assignments)).length;
  return { taskId: task.id, counts: countSplits(sel.examples, assignments), unassigned, excluded: sel.excluded.length };
}

export interface TaskMember {
  id: string;
  /** 1 = positive finding, 0 = normal */
  label: 0 | 1;
  labels: Finding[];
}

/**
 * Images of one split of a task, by their current labels. An image relabelled out of the
 * task is left out; one relabelled into it has no stored split until the user re-splits.
 */
export function membersOfSplit<T extends TaskImage>(images: readonly T[], task: Task, split: SplitAssignment | undefined, which: SplitName): (T & { label: 0 | 1 })[] {
  if (!split) return [];
  const out: (T & { label: 0 | 1 })[] = [];
  for (const img of images) {
    if (split.assignments[img.id] !== which) continue;
    const c = classifyForTask(img.labels, task);
    if (c === 0 || c === 1) out.push({ ...img, label: c });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Findings present in a dataset (besides normal), for the task editor's choices. */
export function findingsPresent(images: readonly { labels: readonly Finding[] }[]): { finding: Finding; images: number }[] {
  const counts = new Map<Finding, number>();
  for (const img of images) for (const f of img.labels) counts.set(f, (counts.get(f) ?? 0) + 1);
  return [...counts.entries()].map(([finding, n]) => ({ finding, images: n })).sort((a, b) => b.images - a.images || (a.finding < b.finding ? -1 : 1));
}
