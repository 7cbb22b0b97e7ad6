// Seeded train/val/test split, stratified by class and grouped by patient (no patient in
// two splits), keeping the source's official test split when asked. The result depends
// only on the seed and on the set of (id, class, patient partition, official split) —
// not on input order and not on the group hashes' salt (groups are ordered by their
// smallest image id).
import { createRng, shuffleInPlace } from '../random';
import type { TaskExample } from './tasks';
import type { ImageId, SplitAssignment, SplitConfig, SplitFractions, SplitName } from './types';

export const DEFAULT_SPLIT_CONFIG: SplitConfig = {
  seed: 1,
  fractions: { train: 0.7, val: 0.15, test: 0.15 },
  keepOfficialTest: true,
};

export interface SplitCounts {
  positives: number;
  negatives: number;
  total: number;
  /** negatives per positive (e.g. VinDr: about 9-13); null without positives */
  imbalanceRatio: number | null;
}

export interface SplitResult {
  assignment: SplitAssignment;
  counts: Record<SplitName, SplitCounts>;
  /** images left out: a patient of the official test split must not reach train/val */
  excluded: { id: ImageId; reason: 'patient-in-official-test' }[];
}

interface Group {
  members: TaskExample[];
  perClass: [number, number];
}

export function validateFractions(f: SplitFractions): void {
  const parts = [f.train, f.val, f.test];
  if (parts.some((p) => !Number.isFinite(p) || p < 0)) throw new RangeError(`split fractions must be finite and >= 0, got ${JSON.stringify(f)}`);
  if (Math.abs(parts[0] + parts[1] + parts[2] - 1) > 1e-6) throw new RangeError(`split fractions must sum to 1, got ${parts[0] + parts[1] + parts[2]}`);
  if (f.train <= 0) throw new RangeError('the train fraction must be > 0');
}

function groupExamples(examples: readonly TaskExample[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const ex of examples) {
    const key = ex.patientGroup === null ? `image:${ex.id}` : `patient:${ex.patientGroup}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { members: [], perClass: [0, 0] }));
    g.members.push(ex);
    g.perClass[ex.label]++;
  }
  // Members were pushed in id order, so members[0] is the smallest id.
  return [...byKey.values()].sort((a, b) => (a.members[0].id < b.members[0].id ? -1 : 1));
}

/**
 * Greedy stratified group assignment: groups in seeded random order (largest first, as
 * in bin packing, so big patients do not land after the room is gone), each to the split
 * whose per-class deficit relative to its target is largest.
 */
function assignGroups(groups: Group[], fractions: Partial<Record<SplitName, number>>, seed: number, out: Record<ImageId, SplitName>): void {
  const splits = (Object.keys(fractions) as SplitName[]).filter((s) => (fractions[s] ?? 0) > 0);
  const totals: [number, number] = [0, 0];
  for (const g of groups) {
    totals[0] += g.perClass[0];
    totals[1] += g.perClass[1];
  }
  const target = (s: SplitName, c: 0 | 1) => (fractions[s] ?? 0) * totals[c];
  const current = new Map<SplitName, [number, number]>(splits.map((s) => [s, [0, 0]]));
  const order = shuffleInPlace([...groups], createRng(seed));
  order.sort((a, b) => b.members.length - a.members.length); // stable: ties keep the seeded order
  for (const g of order) {
    let best = splits[0];
    let bestScore = -Infinity;
    for (const s of splits) {
      const cur = current.get(s)!;
      let score = 0;
      for (const c of [0, 1] as const) if (g.perClass[c] > 0) score += (g.perClass[c] * (target(s, c) - cur[c])) / Math.max(totals[c], 1);
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = s;
      }
    }
    const cur = current.get(best)!;
    cur[0] += g.perClass[0];
    cur[1] += g.perClass[1];
    for (const m of g.members) out[m.id] = best;
  }
}

export function assignSplits(examples: readonly TaskExample[], taskId: string, config: SplitConfig = DEFAULT_SPLIT_CONFIG): SplitResult {
  validateFractions(config.fractions);
  const sorted = [...examples].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) if (sorted[i].id === sorted[i - 1].id) throw new Error(`image ${sorted[i].id} appears twice in the task's examples`);

  const assignments: Record<ImageId, SplitName> = {};
  const excluded: SplitResult['excluded'] = [];
  const officialTest = config.keepOfficialTest && sorted.some((e) => e.officialSplit === 'test');
  const { train, val, test } = config.fractions;

  if (officialTest) {
    const groups = groupExamples(sorted);
    const rest: Group[] = [];
    for (const g of groups) {
      const inTest = g.members.filter((m) => m.officialSplit === 'test');
      if (inTest.length === 0) {
        rest.push(g);
        continue;
      }
      for (const m of inTest) assignments[m.id] = 'test';
      for (const m of g.members) if (m.officialSplit !== 'test') excluded.push({ id: m.id, reason: 'patient-in-official-test' });
    }
    assignGroups(rest, { train: train / (train + val), val: val / (train + val) }, config.seed, assignments);
  } else {
    assignGroups(groupExamples(sorted), { train, val, test }, config.seed, assignments);
  }

  return {
    assignment: { taskId, seed: config.seed, fractions: { ...config.fractions }, officialTestKept: officialTest, assignments, testLocked: true },
    counts: countSplits(sorted, assignments),
    excluded,
  };
}

export function countSplits(examples: readonly Pick<TaskExample, 'id' | 'label'>[], assignments: Readonly<Record<ImageId, SplitName>>): Record<SplitName, SplitCounts> {
  const counts: Record<SplitName, SplitCounts> = {
    train: { positives: 0, negatives: 0, total: 0, imbalanceRatio: null },
    val: { positives: 0, negatives: 0, total: 0, imbalanceRatio: null },
    test: { positives: 0, negatives: 0, total: 0, imbalanceRatio: null },
  };
  for (const ex of examples) {
    const s = assignments[ex.id];
    if (!s) continue;
    const c = counts[s];
    c.total++;
    if (ex.label === 1) c.positives++;
    else c.negatives++;
  }
  for (const c of Object.values(counts)) c.imbalanceRatio = c.positives > 0 ? c.negatives / c.positives : null;
  return counts;
}

/** Ids assigned to one split, sorted. */
export function idsInSplit(assignment: SplitAssignment, split: SplitName): ImageId[] {
  return Object.keys(assignment.assignments)
    .filter((id) => assignment.assignments[id] === split)
    .sort();
}
