// Reading a user's file: a report JSON, a plain labels/scores JSON, or an HTML report
// exported by this app (its embedded JSON). Errors come back as a headline and a list of
// problems, one per line, for the page's error list.
import { importReportJson, type Report } from '../core/report';
import { extractEmbeddedReport } from './export-html';

export class ReportImportError extends Error {
  constructor(
    readonly headline: string,
    readonly problems: string[],
  ) {
    super([headline, ...problems.map((p) => `- ${p}`)].join('\n'));
    this.name = 'ReportImportError';
  }
}

function parseJson(text: string, fileName: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) {
    const embedded = extractEmbeddedReport(text);
    if (embedded === null) throw new ReportImportError(`${fileName} is an HTML file without an embedded report.`, ['Only HTML reports exported by this app can be imported.']);
    return embedded;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ReportImportError(`${fileName} is not valid JSON.`, [(e as Error).message]);
  }
}

export interface ImportedReport {
  report: Report;
  /** 'report': a report JSON (or HTML) with its own environment; 'scores': made here from labels/scores */
  kind: 'report' | 'scores';
}

/** Validates and returns the report; throws ReportImportError listing every problem. */
export function importReportText(text: string, fileName: string): ImportedReport {
  const json = parseJson(text, fileName);
  const kind = typeof json === 'object' && json !== null && !Array.isArray(json) && 'schemaVersion' in json ? 'report' : 'scores';
  try {
    return { report: importReportJson(json), kind };
  } catch (e) {
    const [headline, ...rest] = (e as Error).message.split('\n');
    const problems = rest.map((l) => l.replace(/^- /, '')).filter((l) => l.length > 0);
    throw new ReportImportError(`${fileName}: ${headline}`, problems);
  }
}
