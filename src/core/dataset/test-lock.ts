// The test split is locked: training, fine-tuning, synthesis sources, thresholds and
// early stopping call this before touching a set of images, and refuse test images.
import type { ImageId, SplitAssignment } from './types';

export type LockedUse = 'training' | 'fine-tuning' | 'synthesis-source' | 'threshold-selection' | 'early-stopping';

export class TestSplitLeakError extends Error {
  constructor(
    readonly use: LockedUse,
    readonly taskId: string,
    readonly testIds: ImageId[],
  ) {
    const shown = testIds.slice(0, 3).map((id) => id.slice(0, 12)).join(', ');
    super(
      `test split is locked: ${testIds.length} test image(s) of task "${taskId}" were passed to ${use} ` +
        `(${shown}${testIds.length > 3 ? ', …' : ''}). Test images may only be used for the final evaluation.`,
    );
    this.name = 'TestSplitLeakError';
  }
}

/** Throws TestSplitLeakError when any id is a test image of the split. */
export function assertNoTestImages(ids: Iterable<ImageId>, split: SplitAssignment, use: LockedUse): void {
  const leaked: ImageId[] = [];
  for (const id of ids) if (split.assignments[id] === 'test') leaked.push(id);
  if (leaked.length > 0) throw new TestSplitLeakError(use, split.taskId, leaked);
}
