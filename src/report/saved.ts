// Saved reports in IndexedDB (stores.reports). A record keeps the validated report JSON
// and, once computed, its bootstrap results, so reopening a large report does not redo
// the bootstrap. Records are re-validated on read: a store written by an older version
// must not bring unchecked data into the page.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseReport, type Report } from '../core/report';
import { stores } from '../storage/stores';
import type { ReportStats } from './stats';

export interface SavedReport {
  id: string;
  title: string;
  savedAt: number;
  /** where it came from, e.g. the imported file name */
  source: string;
  report: Report;
  stats: ReportStats | null;
}

export interface SavedReportSummary {
  id: string;
  title: string;
  savedAt: number;
  source: string;
  tasks: number;
  runs: number;
  hasStats: boolean;
}

/** Content address of a report: re-importing the same file updates its record instead of adding one. */
export function reportId(report: Report): string {
  const { results: _ignored, ...rest } = report;
  return 'report-' + bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(rest)))).slice(0, 16);
}

export async function saveReport(report: Report, source: string, stats: ReportStats | null): Promise<SavedReport> {
  const record: SavedReport = { id: reportId(report), title: report.study.title, savedAt: Date.now(), source, report, stats };
  await stores.reports.put(record.id, record);
  return record;
}

export async function saveStats(id: string, stats: ReportStats): Promise<void> {
  const record = (await stores.reports.get(id)) as SavedReport | undefined;
  if (record) await stores.reports.put(id, { ...record, stats });
}

export async function listReports(): Promise<SavedReportSummary[]> {
  const entries = (await stores.reports.entries()) as [string, SavedReport][];
  return entries
    .filter(([, r]) => r && typeof r === 'object' && 'report' in r)
    .map(([id, r]) => ({
      id,
      title: r.title,
      savedAt: r.savedAt,
      source: r.source,
      tasks: r.report.tasks?.length ?? 0,
      runs: r.report.tasks?.reduce((s, t) => s + (t.runs?.length ?? 0), 0) ?? 0,
      hasStats: !!r.stats,
    }))
    .sort((a, b) => b.savedAt - a.savedAt);
}

export async function loadReport(id: string): Promise<SavedReport> {
  const record = (await stores.reports.get(id)) as SavedReport | undefined;
  if (!record) throw new Error(`Saved report ${id} not found.`);
  return { ...record, report: parseReport(record.report) };
}

export async function deleteReport(id: string): Promise<void> {
  await stores.reports.delete(id);
}
