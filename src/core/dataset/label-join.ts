// Joining a parsed label table onto imported images, with the report the Data page shows:
// missing files, images without labels, unknown columns, reader conflicts, empty rows.
import { baseName, fileStem } from './folder-labels';
import { mergeReaderRows, type FindingVote } from './reader-merge';
import type { LabelRow, ParsedLabelTable, UnknownColumn } from './label-table';
import type { Finding, ImageId, LabelMergePolicy, SplitName } from './types';

export interface JoinableImage {
  id: ImageId;
  sourcePath: string;
}

export interface JoinedLabel {
  labels: Finding[];
  officialSplit?: SplitName;
  /** table key that matched the image */
  key: string;
}

export interface LabelJoinReport {
  policy: LabelMergePolicy;
  rows: number;
  /** keys in the table that match no imported image */
  missingFiles: string[];
  /** paths of images the table says nothing about */
  imagesWithoutRow: string[];
  unknownColumns: UnknownColumn[];
  invalidCells: ParsedLabelTable['invalidCells'];
  /** keys whose readers disagreed on at least one finding (also when the policy resolved it) */
  conflicts: { key: string; votes: FindingVote[]; resolved: Finding[] }[];
  /** rows marking nothing at all (all zeros and no "No finding") */
  rowsWithoutFinding: { line: number; key: string }[];
  /** keys whose merged labels had both "No finding" and a finding */
  contradictory: string[];
  /** keys for which the policy gave no label (e.g. no unanimous label) */
  unresolved: string[];
  /** keys that matched more than one image (same file name in two folders) */
  ambiguousKeys: string[];
}

export interface LabelJoinResult {
  labels: Map<ImageId, JoinedLabel>;
  report: LabelJoinReport;
}

/**
 * Keys match an image by exact id (SHA-256), by file name (`123.dcm`) or by stem (`123`,
 * VinDr's image_id is the DICOM file stem). Matching is case-sensitive: file systems and
 * VinDr ids are.
 */
export function joinLabelTable(
  table: ParsedLabelTable,
  images: readonly JoinableImage[],
  policy: LabelMergePolicy,
  officialSplit?: SplitName,
): LabelJoinResult {
  const byKey = new Map<string, JoinableImage[]>();
  const add = (k: string, img: JoinableImage) => {
    const list = byKey.get(k);
    if (!list) byKey.set(k, [img]);
    else if (!list.includes(img)) list.push(img);
  };
  for (const img of images) {
    add(img.id, img);
    add(baseName(img.sourcePath), img);
    add(fileStem(img.sourcePath), img);
  }

  const rowsByKey = new Map<string, LabelRow[]>();
  for (const r of table.rows) {
    const list = rowsByKey.get(r.key);
    if (list) list.push(r);
    else rowsByKey.set(r.key, [r]);
  }

  const report: LabelJoinReport = {
    policy,
    rows: table.rows.length,
    missingFiles: [],
    imagesWithoutRow: [],
    unknownColumns: table.unknownColumns,
    invalidCells: table.invalidCells,
    conflicts: [],
    rowsWithoutFinding: table.rows.filter((r) => r.positives.length === 0).map((r) => ({ line: r.line, key: r.key })),
    contradictory: [],
    unresolved: [],
    ambiguousKeys: [],
  };
  const labels = new Map<ImageId, JoinedLabel>();
  for (const [key, rows] of rowsByKey) {
    const matched = byKey.get(key) ?? (key.includes('/') || key.includes('\\') ? byKey.get(baseName(key)) : undefined);
    if (!matched) {
      report.missingFiles.push(key);
      continue;
    }
    if (matched.length > 1) report.ambiguousKeys.push(key);
    const merged = mergeReaderRows(rows, policy);
    if (merged.disagreements.length > 0) report.conflicts.push({ key, votes: merged.disagreements, resolved: merged.labels });
    if (merged.contradictory) report.contradictory.push(key);
    if (merged.labels.length === 0) report.unresolved.push(key);
    const split = rows.find((r) => r.split)?.split ?? officialSplit;
    for (const img of matched) {
      const joined: JoinedLabel = { labels: merged.labels, key };
      if (split) joined.officialSplit = split;
      labels.set(img.id, joined);
    }
  }
  report.imagesWithoutRow = images.filter((img) => !labels.has(img.id)).map((img) => img.sourcePath);
  return { labels, report };
}
