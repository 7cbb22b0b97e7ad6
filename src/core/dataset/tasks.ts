// A task is a binary problem, positive finding vs normal. Selection applies the task's
// explicit policy for images with other findings and says why each image was left out.
import { NORMAL, OTHER_FINDINGS_POLICY_TEXT, type Finding, type ImageId, type OtherFindingsPolicy, type SplitName, type Task } from './types';

/** The study's two tasks (Kermany/VinDr pneumonia, VinDr bronchopneumonia). */
export const STUDY_TASKS: readonly Task[] = [
  { id: 'pneumonia-vs-normal', name: 'Normal vs pneumonia', positiveFinding: 'pneumonia', otherFindings: 'exclude' },
  { id: 'bronchopneumonia-vs-normal', name: 'Normal vs bronchopneumonia', positiveFinding: 'bronchopneumonia', otherFindings: 'exclude' },
];

export function makeTask(positiveFinding: Finding, otherFindings: OtherFindingsPolicy = 'exclude'): Task {
  if (positiveFinding === NORMAL) throw new Error('a task\'s positive finding cannot be "normal"');
  return { id: `${positiveFinding}-vs-normal`, name: `Normal vs ${positiveFinding}`, positiveFinding, otherFindings };
}

export function describeOtherFindingsPolicy(task: Task): string {
  return OTHER_FINDINGS_POLICY_TEXT[task.otherFindings];
}

export type ExclusionReason = 'unlabelled' | 'other-finding' | 'positive-with-other-finding';

export const EXCLUSION_REASON_TEXT: Record<ExclusionReason, string> = {
  unlabelled: 'no label',
  'other-finding': 'carries another finding and not the positive one',
  'positive-with-other-finding': 'carries the positive finding together with another finding',
};

export interface TaskImage {
  id: ImageId;
  labels: readonly Finding[];
  patientGroup: string | null;
  officialSplit?: SplitName;
}

/** One selected image with its class: 1 = positive finding, 0 = normal (or negative). */
export interface TaskExample {
  id: ImageId;
  label: 0 | 1;
  patientGroup: string | null;
  officialSplit?: SplitName;
}

export interface TaskSelection {
  taskId: string;
  policy: OtherFindingsPolicy;
  examples: TaskExample[];
  positives: number;
  negatives: number;
  excluded: { id: ImageId; reason: ExclusionReason }[];
  excludedCounts: Record<ExclusionReason, number>;
}

export function classifyForTask(labels: readonly Finding[], task: Task): 0 | 1 | ExclusionReason {
  if (labels.length === 0) return 'unlabelled';
  const positive = labels.includes(task.positiveFinding);
  const others = labels.some((f) => f !== NORMAL && f !== task.positiveFinding);
  if (positive) {
    if (others && task.otherFindings === 'exclude') return 'positive-with-other-finding';
    return 1;
  }
  if (others && task.otherFindings !== 'other-as-negative') return 'other-finding';
  return 0;
}

export function selectForTask(images: readonly TaskImage[], task: Task): TaskSelection {
  const sel: TaskSelection = {
    taskId: task.id,
    policy: task.otherFindings,
    examples: [],
    positives: 0,
    negatives: 0,
    excluded: [],
    excludedCounts: { unlabelled: 0, 'other-finding': 0, 'positive-with-other-finding': 0 },
  };
  for (const img of images) {
    const c = classifyForTask(img.labels, task);
    if (c === 0 || c === 1) {
      const ex: TaskExample = { id: img.id, label: c, patientGroup: img.patientGroup };
      if (img.officialSplit) ex.officialSplit = img.officialSplit;
      sel.examples.push(ex);
      if (c === 1) sel.positives++;
      else sel.negatives++;
    } else {
      sel.excluded.push({ id: img.id, reason: c });
      sel.excludedCounts[c]++;
    }
  }
  return sel;
}
