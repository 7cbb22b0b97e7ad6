// Labels from a folder layout: `<split>/<CLASS>/file` (Kermany) or `<CLASS>/file`.
// Class folder names map case-insensitively to findings (NORMAL → normal).
import { knownFinding } from './findings';
import type { Finding, SplitName } from './types';

export interface FolderLabel {
  /** [] when no path segment names a known class */
  labels: Finding[];
  /** Kermany-style `bacterial`/`viral` from file names like person1_bacteria_1.jpeg */
  subLabels: string[];
  officialSplit?: SplitName;
  /**
   * A patient key found in the file name (Kermany `person123_…`, `IM-0115-…`), to be
   * salted and hashed by the importer; null when the name carries none.
   */
  patientKey: string | null;
}

const SPLIT_ALIASES: Record<string, SplitName> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};

/** Path segments with `\` normalised; empty segments and `.` dropped. */
export function pathSegments(path: string): string[] {
  return path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

export function baseName(path: string): string {
  const segs = pathSegments(path);
  return segs[segs.length - 1] ?? '';
}

/** File name without its last extension: `a/b/123.dcm` → `123`, `x.tar.gz` → `x.tar`. */
export function fileStem(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export function labelFromPath(path: string): FolderLabel {
  const segs = pathSegments(path);
  const file = segs[segs.length - 1] ?? '';
  const dirs = segs.slice(0, -1);
  const result: FolderLabel = { labels: [], subLabels: [], patientKey: kermanyPatientKey(file) };
  // The innermost directory that names a class wins; the split is looked for above it,
  // so `data/train/NORMAL/x.jpeg` and `NORMAL/x.jpeg` both work.
  for (let i = dirs.length - 1; i >= 0; i--) {
    const finding = knownFinding(dirs[i]);
    if (finding === null) continue;
    result.labels = [finding];
    for (let j = i - 1; j >= 0; j--) {
      const split = SPLIT_ALIASES[dirs[j].toLowerCase()];
      if (split) {
        result.officialSplit = split;
        break;
      }
    }
    break;
  }
  const sub = /_(bacteria|virus)_/i.exec(file);
  if (sub) result.subLabels = [sub[1].toLowerCase() === 'bacteria' ? 'bacterial' : 'viral'];
  return result;
}

/**
 * Kermany names carry the patient: `person1_bacteria_1.jpeg` (pneumonia) and
 * `IM-0115-0001.jpeg` / `NORMAL2-IM-1427-0001.jpeg` (normals). Prefixes are kept because
 * the two numbering schemes are independent.
 */
export function kermanyPatientKey(fileName: string): string | null {
  const person = /^(person\d+)_/i.exec(fileName);
  if (person) return person[1].toLowerCase();
  const im = /^((?:normal\d*-)?im-\d+)-\d+/i.exec(fileName);
  if (im) return im[1].toLowerCase();
  return null;
}
