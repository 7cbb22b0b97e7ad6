// End of an import: join the label tables, report duplicates, split every task. Runs on
// all members (earlier runs' included), so a resumed import ends exactly like one that
// ran through.
import { type DatasetImage, type DatasetRecord, type DuplicateGroup, type ImportReport, memberKey } from '../../core/dataset/dataset-record';
import { computeDatasetSplits } from '../../core/dataset/dataset-splits';
import { labelFromPath } from '../../core/dataset/folder-labels';
import { joinLabelTable } from '../../core/dataset/label-join';
import { officialSplitFromTableName, parseLabelTable } from '../../core/dataset/label-table';
import { stores } from '../../storage/stores';
import type { LabelTableInput } from './import-types';

export function duplicateGroups(members: Iterable<DatasetImage>): DuplicateGroup[] {
  const groups: DuplicateGroup[] = [];
  for (const m of members) {
    if (!m.duplicatePaths?.length) continue;
    const paths = [m.sourcePath, ...m.duplicatePaths].sort();
    const labelSets = new Set(paths.map((p) => labelFromPath(p).labels.join('|')));
    groups.push({ id: m.id, paths, conflictingLabels: labelSets.size > 1 });
  }
  return groups.sort((a, b) => (a.paths[0] < b.paths[0] ? -1 : 1));
}

/**
 * Applies label tables to the members (table labels replace folder labels for the images
 * a table names; others keep theirs) and returns the per-table reports.
 */
export function applyLabelTables(
  members: DatasetImage[],
  tables: readonly LabelTableInput[],
  policy: DatasetRecord['labelMergePolicy'],
): { changed: DatasetImage[]; labelTables: ImportReport['labelTables']; labelTableErrors: ImportReport['labelTableErrors'] } {
  const changed = new Set<DatasetImage>();
  const labelTables: ImportReport['labelTables'] = [];
  const labelTableErrors: ImportReport['labelTableErrors'] = [];
  const byId = new Map(members.map((m) => [m.id, m]));
  for (const t of tables) {
    let parsed;
    try {
      parsed = parseLabelTable(t.text);
    } catch (e) {
      labelTableErrors.push({ name: t.name, message: (e as Error).message });
      continue;
    }
    const { labels, report } = joinLabelTable(parsed, members, policy, officialSplitFromTableName(t.name));
    for (const [id, joined] of labels) {
      const m = byId.get(id)!;
      if (m.relabelled) continue; // a manual relabel outranks a table
      m.labels = joined.labels;
      if (joined.officialSplit) m.officialSplit = joined.officialSplit;
      changed.add(m);
    }
    labelTables.push({ name: t.name, report, table: { keyColumn: parsed.keyColumn, readerColumn: parsed.readerColumn, shape: parsed.shape, findingColumns: parsed.findingColumns } });
  }
  return { changed: [...changed], labelTables, labelTableErrors };
}

export async function finalizeDataset(
  rec: DatasetRecord,
  members: DatasetImage[],
  tables: readonly LabelTableInput[],
  reportPatch: Partial<ImportReport>,
): Promise<DatasetRecord> {
  const { changed, labelTables, labelTableErrors } = applyLabelTables(members, tables, rec.labelMergePolicy);
  if (changed.length > 0) await stores.datasetImages.putMany(changed.map((m) => [memberKey(rec.id, m.id), m]));
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    ...rec,
    status: 'ready',
    imageIds: sorted.map((m) => m.id),
    splits: computeDatasetSplits(sorted, rec.tasks, rec.splitConfig),
    splitsStale: false,
    report: { ...rec.report, ...reportPatch, images: members.length, duplicates: duplicateGroups(members), labelTables, labelTableErrors },
  };
}
