// JSON, CSV and HTML exports: re-importable, hand-checkable numbers, never NaN/Infinity.
import { describe, expect, it } from 'vitest';
import { parseReport, type Report } from '../../../src/core/report';
import {
  buildReportModel,
  extractEmbeddedReport,
  importReportText,
  jsonSafe,
  metricsCsv,
  METRICS_CSV_HEADER,
  planBootstrap,
  reportHtml,
  reportJsonText,
  reportViews,
  runBootstrapPlan,
  scoresCsv,
  ReportImportError,
} from '../../../src/report';
import { smallReport } from './fixtures';

const info = { appVersion: '9.9.9', exportedAt: '2025-01-01T00:00:00.000Z' };

async function computed(input = smallReport()) {
  const report = parseReport(input);
  const model = buildReportModel(report);
  const stats = await runBootstrapPlan(planBootstrap(model));
  return { report, model, stats };
}

function parseCsv(text: string): string[][] {
  // The exports quote only fields with commas/quotes/newlines; test fields have none of the latter two.
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.filter((f, i, a) => i < a.length - 1 || f !== '').map((f) => f.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')));
}

describe('JSON export', () => {
  it('round-trips: the exported JSON validates and recomputes to the same numbers and intervals', async () => {
    const { report, model, stats } = await computed();
    const text = reportJsonText(report, model, stats, info);
    const again = importReportText(text, 'r.json');
    expect(again.kind).toBe('report');
    const model2 = buildReportModel(again.report);
    expect(model2.tasks[0].runs.map((r) => r.metrics)).toEqual(model.tasks[0].runs.map((r) => r.metrics));
    const stats2 = await runBootstrapPlan(planBootstrap(model2));
    expect(stats2).toEqual(stats);
  });

  it('carries per-image labels and scores of every run and the computed results, with no NaN or Infinity', async () => {
    const { report, model, stats } = await computed();
    const text = reportJsonText(report, model, stats, info);
    expect(text).not.toMatch(/NaN|Infinity/);
    const json = JSON.parse(text);
    expect(json.schemaVersion).toBe(1);
    expect(json.tasks[0].runs[1].test).toHaveLength(8);
    expect(json.tasks[0].runs[0].results.metrics.sensitivity).toBe(0.75);
    expect(json.tasks[0].runs[0].results.bootstrap.sensitivity.percentile).toHaveLength(2);
    expect(json.tasks[0].results.comparisons[0].mcnemar.test).toMatch(/McNemar/);
    expect(json.results.computedBy).toBe('cxr-ldm-augment 9.9.9');
  });

  it('jsonSafe turns NaN and ±Infinity (e.g. the first ROC threshold) into null and typed arrays into arrays', () => {
    expect(jsonSafe({ thresholds: [Infinity, 0.5], x: NaN, y: new Float64Array([1, -Infinity]), z: undefined })).toEqual({ thresholds: [null, 0.5], x: null, y: [1, null] });
  });

  it('exports a single-class report without NaN (AUROC and its interval are null)', async () => {
    const input = smallReport();
    input.tasks[0].runs = input.tasks[0].runs.map((r) => ({ ...r, test: r.test.filter((x) => x.label === 0) }));
    const { report, model, stats } = await computed(input);
    const text = reportJsonText(report, model, stats, info);
    expect(text).not.toMatch(/NaN|Infinity/);
    const json = JSON.parse(text);
    expect(json.tasks[0].runs[0].results.metrics.auroc).toBeNull();
    expect(json.tasks[0].runs[0].results.bootstrap.auroc.percentile).toBeNull();
    const csv = metricsCsv(model, stats);
    expect(csv).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe('CSV export', () => {
  it('has one row per run × metric with estimate, CIs, Δ, p and the test name', async () => {
    const { model, stats } = await computed();
    const rows = parseCsv(metricsCsv(model, stats));
    expect(rows[0]).toEqual([...METRICS_CSV_HEADER]);
    expect(rows).toHaveLength(1 + 2 * 11);
    const col = (name: (typeof METRICS_CSV_HEADER)[number]) => METRICS_CSV_HEADER.indexOf(name);
    const baseSens = rows.find((r) => r[col('run_id')] === 'base-1' && r[col('metric')] === 'sensitivity')!;
    expect(Number(baseSens[col('estimate')])).toBe(0.75);
    expect(baseSens[col('delta')]).toBe('');
    const lo = Number(baseSens[col('ci_percentile_low')]), hi = Number(baseSens[col('ci_percentile_high')]);
    expect(lo).toBeLessThanOrEqual(0.75);
    expect(hi).toBeGreaterThanOrEqual(0.75);
    const augSens = rows.find((r) => r[col('run_id')] === 'aug-1' && r[col('metric')] === 'sensitivity')!;
    expect(Number(augSens[col('estimate')])).toBe(1);
    expect(Number(augSens[col('delta')])).toBe(0.25);
    expect(augSens[col('compared_with')]).toBe('base-1');
    expect(augSens[col('p_test')]).toMatch(/^paired stratified bootstrap/);
    const augAcc = rows.find((r) => r[col('run_id')] === 'aug-1' && r[col('metric')] === 'accuracy')!;
    expect(augAcc[col('p2_test')]).toMatch(/McNemar/);
    const augAuc = rows.find((r) => r[col('run_id')] === 'aug-1' && r[col('metric')] === 'auroc')!;
    expect(augAuc[col('p2_test')]).toMatch(/DeLong/);
    expect(Number(augAuc[col('delta')])).toBeCloseTo(1 / 16, 12);
  });

  it('lists per-image scores with the threshold and the prediction', async () => {
    const { model } = await computed();
    const rows = parseCsv(scoresCsv(model));
    expect(rows).toHaveLength(1 + 16);
    const a3 = rows.find((r) => r[1] === 'base-1' && r[4] === 'a3')!;
    expect(a3.slice(5)).toEqual(['1', '0.4', '0.5', '0']);
  });

  it('quotes fields with commas', async () => {
    const input = smallReport();
    input.tasks[0].id = 'a,b';
    const { model } = await computed(input);
    expect(scoresCsv(model).split('\r\n')[1].startsWith('"a,b",base-1,')).toBe(true);
  });
});

describe('HTML export', () => {
  it('is self-contained, carries the report JSON for re-import and shows the numbers', async () => {
    const { report, model, stats } = await computed();
    const json = reportJsonText(report, model, stats, info);
    const views = reportViews(model, stats, 'percentile');
    const images = new Map(views.flatMap((v) => [v.charts.roc, v.charts.pr, v.charts.training, ...v.charts.forests]).filter((s) => s !== null).map((s) => [s!.id, { id: s!.id, title: s!.title, description: s!.description, width: 10, height: 10, dataUrl: 'data:image/png;base64,AAAA' }]));
    const html = reportHtml(model, views, stats, { ciMethod: 'percentile', holm: true, ...info, reportJson: json, images });
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html.match(/<img /g)).toHaveLength(images.size);
    expect(html).toMatch(/<tr data-metric="sensitivity"><th>Sensitivity \(recall\)<\/th><td class="num">0\.750/);
    expect(extractEmbeddedReport(html)).toEqual(JSON.parse(json));
    // The HTML file itself can be imported.
    const again = importReportText(html, 'report.html');
    expect(buildReportModel(again.report).tasks[0].runs[0].metrics.sensitivity).toBe(0.75);
  });

  it('escapes "</script>" inside embedded strings', async () => {
    const input = smallReport();
    input.study.title = 'x</script><script>alert(1)</script>';
    const { report, model } = await computed(input);
    const json = reportJsonText(report, model, null, info);
    const html = reportHtml(model, reportViews(model, null, 'bca'), null, { ciMethod: 'bca', holm: false, ...info, reportJson: json, images: new Map() });
    expect(html.match(/<script/g)).toHaveLength(1);
    expect((extractEmbeddedReport(html) as Report).study.title).toBe(input.study.title);
  });
});

describe('import errors', () => {
  it('lists every problem by path', () => {
    const bad = smallReport() as unknown as { tasks: { runs: { test: { label: unknown }[] }[] }[] };
    bad.tasks[0].runs[0].test[2].label = 2;
    try {
      importReportText(JSON.stringify(bad), 'bad.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ReportImportError);
      expect((e as ReportImportError).problems).toContain('tasks[0].runs[0].test[2].label: must be 0 or 1');
    }
    expect(() => importReportText('{oops', 'x.json')).toThrow(/x\.json is not valid JSON/);
  });

  it('reads a plain scores file as a report', () => {
    const r = importReportText(JSON.stringify([{ label: 1, baseline: 0.7, augmented: 0.9 }, { label: 0, baseline: 0.6, augmented: 0.2 }]), 's.json');
    expect(r.kind).toBe('scores');
    const [task] = buildReportModel(r.report).tasks;
    expect(task.pairs).toHaveLength(1);
    expect(task.runs[0].metrics.specificity).toBe(0);
    expect(task.runs[1].metrics.specificity).toBe(1);
  });
});
