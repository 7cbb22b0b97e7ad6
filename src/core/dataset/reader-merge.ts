// Merging several readers' rows for one image into one label set. VinDr-PCXR's training
// table can hold rows from different radiologists; the policy is explicit and shown.
import { NORMAL, type Finding, type LabelMergePolicy } from './types';
import type { LabelRow } from './label-table';

export const LABEL_MERGE_POLICY_TEXT: Record<LabelMergePolicy, string> = {
  'any-positive': 'A finding is present when at least one reader marked it; a finding outranks another reader\'s "No finding".',
  majority: 'A finding is present when more than half of the readers marked it; ties count as absent.',
  unanimous: 'A finding is present only when every reader marked it; images without a unanimous label stay unlabelled.',
};

export interface FindingVote {
  finding: Finding;
  positive: number;
  readers: number;
}

export interface MergedLabel {
  /** sorted; ['normal'], findings, or [] when the policy resolves nothing */
  labels: Finding[];
  /** readers that voted (rows without any finding do not vote) */
  readers: number;
  /** findings on which readers disagreed (0 < positive < readers) */
  disagreements: FindingVote[];
  /** the merged set had both `normal` and a finding; the finding was kept */
  contradictory: boolean;
}

function present(policy: LabelMergePolicy, positive: number, readers: number): boolean {
  switch (policy) {
    case 'any-positive':
      return positive >= 1;
    case 'majority':
      return positive * 2 > readers;
    case 'unanimous':
      return positive === readers;
  }
}

/**
 * Merges the rows of one image. Rows with no finding at all (all zeros, no "No finding")
 * carry no opinion and are not counted as readers; callers report them separately.
 */
export function mergeReaderRows(rows: readonly LabelRow[], policy: LabelMergePolicy): MergedLabel {
  const voting = rows.filter((r) => r.positives.length > 0);
  const readers = voting.length;
  const counts = new Map<Finding, number>();
  for (const r of voting) for (const f of new Set(r.positives)) counts.set(f, (counts.get(f) ?? 0) + 1);
  const votes: FindingVote[] = [...counts.entries()].map(([finding, positive]) => ({ finding, positive, readers })).sort((a, b) => (a.finding < b.finding ? -1 : 1));
  const kept = votes.filter((v) => present(policy, v.positive, v.readers)).map((v) => v.finding);
  const findings = kept.filter((f) => f !== NORMAL);
  const hasNormal = kept.includes(NORMAL);
  return {
    labels: findings.length > 0 ? findings : hasNormal ? [NORMAL] : [],
    readers,
    disagreements: votes.filter((v) => v.positive < v.readers),
    contradictory: hasNormal && findings.length > 0,
  };
}
