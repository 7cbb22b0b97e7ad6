// Finding names from folders and label tables mapped onto one vocabulary, so
// `PNEUMONIA/`, `Pneumonia` and a VinDr column all become `pneumonia`.
import { NORMAL, type Finding } from './types';

/**
 * Known spellings (after `slug`) → finding. VinDr-PCXR's column headers are kept with
 * their typos (`Brocho-pneumonia`, `Diagphramatic hernia`) as published.
 */
const ALIASES: Record<string, Finding> = {
  normal: NORMAL,
  'no-finding': NORMAL,
  'no-findings': NORMAL,
  pneumonia: 'pneumonia',
  'brocho-pneumonia': 'bronchopneumonia',
  'broncho-pneumonia': 'bronchopneumonia',
  bronchopneumonia: 'bronchopneumonia',
  'pleuro-pneumonia': 'pleuro-pneumonia',
  bronchitis: 'bronchitis',
  bronchiolitis: 'bronchiolitis',
  'other-disease': 'other-disease',
  'other-diseases': 'other-disease',
  'situs-inversus': 'situs-inversus',
  'diagphramatic-hernia': 'diaphragmatic-hernia',
  'diaphragmatic-hernia': 'diaphragmatic-hernia',
  tuberculosis: 'tuberculosis',
  'congenital-emphysema': 'congenital-emphysema',
  cpam: 'cpam',
  'hyaline-membrane-disease': 'hyaline-membrane-disease',
  'mediastinal-tumor': 'mediastinal-tumor',
  'lung-tumor': 'lung-tumor',
};

/** Lowercase kebab-case: `No finding` → `no-finding`, `Brocho_pneumonia ` → `brocho-pneumonia`. */
export function slug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The finding for a known name, or null when the name is not in the vocabulary. */
export function knownFinding(name: string): Finding | null {
  return ALIASES[slug(name)] ?? null;
}

/** The finding for any name: known aliases first, else the slug itself. */
export function toFinding(name: string): Finding {
  return knownFinding(name) ?? slug(name);
}

/**
 * Canonical label set: sorted and unique; `normal` is dropped when a real finding is
 * present (a finding outranks "no finding"; contradictions are reported by the caller).
 */
export function normaliseLabels(findings: Iterable<Finding>): Finding[] {
  const set = new Set(findings);
  if (set.size > 1) set.delete(NORMAL);
  return [...set].sort();
}
