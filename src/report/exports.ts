// Export files of a report (browser only: chart images need a canvas). Each returns the
// bytes and a file name; the page hands them to the browser as downloads.
import { version as appVersion } from '../../package.json';
import type { Report } from '../core/report';
import { chartToPng, type ChartImage } from './chart-images';
import type { ChartSpec } from './charts';
import { metricsCsv, reportJsonText, scoresCsv } from './export-data';
import { reportHtml } from './export-html';
import { reportPdf } from './export-pdf';
import type { ReportModel } from './model';
import type { ReportStats } from './stats';
import type { CiMethod } from './tables';
import { reportChartSpecs, reportViews } from './view';

export { appVersion };

export type ExportFormat = 'html' | 'pdf' | 'json' | 'csv-metrics' | 'csv-scores';

export interface ExportInput {
  report: Report;
  model: ReportModel;
  stats: ReportStats | null;
  ciMethod: CiMethod;
  holm: boolean;
}

export interface ExportFile {
  blob: Blob;
  fileName: string;
}

function baseName(title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  return `${slug || 'report'}-${new Date().toISOString().slice(0, 10)}`;
}

function renderImages(specs: ChartSpec[]): Map<string, ChartImage> {
  return new Map(specs.map((s) => [s.id, chartToPng(s)]));
}

export function exportReport(format: ExportFormat, input: ExportInput): ExportFile {
  const { report, model, stats, ciMethod, holm } = input;
  const exportedAt = new Date().toISOString();
  const name = baseName(model.title);
  const json = () => reportJsonText(report, model, stats, { appVersion, exportedAt });
  switch (format) {
    case 'json':
      return { blob: new Blob([json()], { type: 'application/json' }), fileName: `${name}.json` };
    case 'csv-metrics':
      return { blob: new Blob([metricsCsv(model, stats)], { type: 'text/csv' }), fileName: `${name}-metrics.csv` };
    case 'csv-scores':
      return { blob: new Blob([scoresCsv(model)], { type: 'text/csv' }), fileName: `${name}-scores.csv` };
    case 'html': {
      const views = reportViews(model, stats, ciMethod);
      const html = reportHtml(model, views, stats, { ciMethod, holm, appVersion, exportedAt, reportJson: json(), images: renderImages(reportChartSpecs(views)) });
      return { blob: new Blob([html], { type: 'text/html' }), fileName: `${name}.html` };
    }
    case 'pdf': {
      const views = reportViews(model, stats, ciMethod);
      return { blob: reportPdf(model, views, stats, { ciMethod, holm, appVersion, exportedAt, images: renderImages(reportChartSpecs(views)) }), fileName: `${name}.pdf` };
    }
  }
}

/** Hands a file to the browser's download machinery. */
export function download(file: ExportFile): void {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: Chromium reads the blob asynchronously after the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
