// Label tables (CSV/TSV): a key column naming the image plus either one 0/1 column per
// finding ("wide", VinDr-PCXR's image_labels_train.csv) or one label column holding
// finding names ("long", `file,label`). Several rows per key are several readers; they
// are merged by an explicit policy (reader-merge.ts).
import { parseCsv } from './csv';
import { knownFinding, slug, toFinding } from './findings';
import type { Finding, SplitName } from './types';

const KEY_COLUMNS = ['image-id', 'imageid', 'image', 'image-name', 'file', 'filename', 'file-name', 'path', 'id', 'dicom', 'name'];
const READER_COLUMNS = ['rad-id', 'radiologist', 'radiologist-id', 'reader', 'reader-id', 'rad'];
const LABEL_COLUMNS = ['label', 'labels', 'class', 'finding', 'findings', 'diagnosis'];
const SPLIT_COLUMNS = ['split', 'subset', 'set'];

export interface LabelRow {
  /** 1-based line of the record in the table (header = 1) */
  line: number;
  key: string;
  reader: string | null;
  /** findings this reader marked present; `normal` for "No finding" */
  positives: Finding[];
  split?: SplitName;
}

export interface UnknownColumn {
  column: string;
  /** the finding the column was read as (it held only 0/1), or null when ignored */
  treatedAs: Finding | null;
}

export interface ParsedLabelTable {
  keyColumn: string;
  readerColumn: string | null;
  shape: 'wide' | 'long';
  /** header → finding for each finding column of a wide table */
  findingColumns: { column: string; finding: Finding }[];
  unknownColumns: UnknownColumn[];
  rows: LabelRow[];
  /** cells of finding columns that are neither 0/1 nor empty; read as 0 */
  invalidCells: { line: number; column: string; value: string }[];
}

export class LabelTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelTableError';
  }
}

const TRUE_VALUES = new Set(['1', '1.0', 'true', 'yes', 'y']);
const FALSE_VALUES = new Set(['0', '0.0', 'false', 'no', 'n', '']);
const SPLIT_VALUES: Record<string, SplitName> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' };

function findColumn(header: string[], candidates: string[]): number {
  for (const c of candidates) {
    const i = header.findIndex((h) => slug(h) === c);
    if (i >= 0) return i;
  }
  return -1;
}

export function parseLabelTable(text: string): ParsedLabelTable {
  const { header, rows } = parseCsv(text);
  const keyIdx = findColumn(header, KEY_COLUMNS);
  if (keyIdx < 0) {
    throw new LabelTableError(`no key column: expected one of image_id, file, filename, path, id (found: ${header.join(', ')})`);
  }
  const readerIdx = findColumn(header, READER_COLUMNS);
  const labelIdx = findColumn(header, LABEL_COLUMNS);
  const splitIdx = findColumn(header, SPLIT_COLUMNS);
  const reserved = new Set([keyIdx, readerIdx, labelIdx, splitIdx].filter((i) => i >= 0));

  const findingColumns: { column: string; finding: Finding; index: number }[] = [];
  const unknownColumns: UnknownColumn[] = [];
  header.forEach((h, index) => {
    if (reserved.has(index)) return;
    const finding = knownFinding(h);
    if (finding !== null && labelIdx < 0) {
      findingColumns.push({ column: h, finding, index });
      return;
    }
    const binary = labelIdx < 0 && rows.every((r) => TRUE_VALUES.has(r[index].trim().toLowerCase()) || FALSE_VALUES.has(r[index].trim().toLowerCase()));
    if (binary && slug(h) !== '') {
      // An unfamiliar 0/1 column is most likely a finding we do not know yet: keep it,
      // but list it so the user sees the guess.
      const treatedAs = toFinding(h);
      findingColumns.push({ column: h, finding: treatedAs, index });
      unknownColumns.push({ column: h, treatedAs });
    } else {
      unknownColumns.push({ column: h, treatedAs: null });
    }
  });
  if (labelIdx < 0 && findingColumns.length === 0) {
    throw new LabelTableError('no label column (label/class/finding) and no 0/1 finding columns');
  }

  const invalidCells: ParsedLabelTable['invalidCells'] = [];
  const parsedRows: LabelRow[] = rows.map((cells, k) => {
    const line = k + 2;
    const positives = new Set<Finding>();
    if (labelIdx >= 0) {
      for (const name of cells[labelIdx].split(/[|;]/)) if (name.trim() !== '') positives.add(toFinding(name));
    } else {
      for (const col of findingColumns) {
        const v = cells[col.index].trim().toLowerCase();
        if (TRUE_VALUES.has(v)) positives.add(col.finding);
        else if (!FALSE_VALUES.has(v)) invalidCells.push({ line, column: col.column, value: cells[col.index] });
      }
    }
    const row: LabelRow = {
      line,
      key: cells[keyIdx].trim(),
      reader: readerIdx >= 0 && cells[readerIdx].trim() !== '' ? cells[readerIdx].trim() : null,
      positives: [...positives].sort(),
    };
    const split = splitIdx >= 0 ? SPLIT_VALUES[cells[splitIdx].trim().toLowerCase()] : undefined;
    if (split) row.split = split;
    return row;
  });

  return {
    keyColumn: header[keyIdx],
    readerColumn: readerIdx >= 0 ? header[readerIdx] : null,
    shape: labelIdx >= 0 ? 'long' : 'wide',
    findingColumns: findingColumns.map(({ column, finding }) => ({ column, finding })),
    unknownColumns,
    rows: parsedRows.filter((r) => r.key !== ''),
    invalidCells,
  };
}

/**
 * VinDr-PCXR ships `image_labels_train.csv` and `image_labels_test.csv`: the table's
 * name is its official split. Returns undefined when the name says neither.
 */
export function officialSplitFromTableName(fileName: string): SplitName | undefined {
  const s = slug(fileName.replace(/\.[^.]*$/, ''));
  if (/(^|-)test(ing)?($|-)/.test(s)) return 'test';
  if (/(^|-)(val|valid|validation)($|-)/.test(s)) return 'val';
  if (/(^|-)train(ing)?($|-)/.test(s)) return 'train';
  return undefined;
}
