// The report layer: model (recomputed numbers), stats (bootstrap plan, run in a worker),
// tables and views (what is shown), exports (HTML, PDF, JSON, CSV), saved reports.
export * from './model';
export * from './stats';
export * from './tables';
export * from './view';
export * from './charts';
export * from './export-data';
export * from './import';
export { reportHtml, extractEmbeddedReport, EMBEDDED_REPORT_ID, type HtmlOptions } from './export-html';
export * from './environment';
