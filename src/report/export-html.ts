// A self-contained HTML report: inline CSS, charts as PNG data URLs, no script that runs,
// and a CSP that forbids every fetch, so it opens offline and can never make a request.
// The report JSON (with computed results) is embedded in a <script type="application/json">
// so the file itself can be re-imported (see extractEmbeddedReport).
import type { ChartImage } from './chart-images';
import type { ChartSpec } from './charts';
import type { ReportModel, RunModel } from './model';
import type { ReportStats } from './stats';
import { CI_METHOD_TEXT, ciOf, fmt, fmtInterval, fmtMeanSd, fmtP, fmtSigned, shortTestName, shownP, type CiMethod, type ComparisonTable, type PCell } from './tables';
import type { TaskView } from './view';

export interface HtmlOptions {
  ciMethod: CiMethod;
  holm: boolean;
  appVersion: string;
  exportedAt: string;
  /** the report JSON text to embed (reportJsonText) */
  reportJson: string;
  /** chart images by ChartSpec id */
  images: Map<string, ChartImage>;
}

export const EMBEDDED_REPORT_ID = 'report-json';

const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON inside <script>: "<" escaped so no "</script>" or "<!--" can end or confuse the element. */
const scriptJson = (json: string) => json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;max-width:1100px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #14243b;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.6em 0;font-variant-numeric:tabular-nums}th,td{border:1px solid #cfd6de;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eef2f7}td.num{text-align:right;white-space:nowrap}.ci{color:#555;font-size:.9em}.muted{color:#5a6470}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #e2e6ea}figcaption{color:#5a6470;font-size:.9em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1em}.gallery img{width:160px;height:160px;object-fit:contain;background:#000}
pre{background:#f5f7f9;padding:.6em;overflow:auto;font-size:.85em}.badge{display:inline-block;background:#fde7c8;padding:0 .4em;border-radius:3px;font-size:.85em}
`;

function estimateCell(value: number | null, ci: [number, number] | null, signed = false): string {
  const v = signed ? fmtSigned(value) : fmt(value);
  return `<td class="num">${esc(v)}${ci ? `<br><span class="ci">${esc(fmtInterval(ci, 3, signed))}</span>` : ''}</td>`;
}

function pCell(cell: PCell | null, holm: boolean): string {
  if (!cell) return '<td class="num">n/a</td>';
  return `<td class="num" title="${esc(cell.test)}${holm ? ' — Holm-adjusted across metrics' : ''}">${esc(fmtP(shownP(cell, holm)))}</td>`;
}

function comparisonHtml(view: TaskView, table: ComparisonTable, o: HtmlOptions): string {
  const t = view.task;
  const m = CI_METHOD_TEXT[o.ciMethod];
  const rows = table.rows
    .map(
      (r) =>
        `<tr data-metric="${r.metric}"><th>${esc(r.label)}</th>${estimateCell(r.baseline.value, ciOf(r.baseline, o.ciMethod))}${estimateCell(r.augmented.value, ciOf(r.augmented, o.ciMethod))}${estimateCell(r.difference.value, ciOf(r.difference, o.ciMethod), true)}${pCell(r.p, o.holm)}</tr>`,
    )
    .join('');
  const d = table.delong;
  return `<h3>${esc(table.title)}</h3>
<table class="metric-table" data-pair="${esc(table.pair.key)}"><thead><tr><th>metric</th><th>${esc(t.baselineArm)}<br><span class="ci">95% CI (${m})</span></th><th>${esc(t.augmentedArm)}<br><span class="ci">95% CI (${m})</span></th><th>Δ ${esc(t.augmentedArm)} − ${esc(t.baselineArm)}<br><span class="ci">95% CI (${m})</span></th><th>p (${esc(shortTestName(table.rows[0].p.test))}${o.holm ? ', Holm-adjusted' : ''})</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">p: ${esc(table.rows[0].p.test)}${o.holm ? '; Holm-adjusted across the metrics of this table' : ''}.</p>
<p>Exact McNemar on discordant pairs (${table.mcnemar.baselineOnlyCorrect} correct only by ${esc(t.baselineArm)}, ${table.mcnemar.augmentedOnlyCorrect} only by ${esc(t.augmentedArm)}): p = ${esc(fmtP(table.mcnemar.p))} <span class="muted">(${esc(table.mcnemar.test)})</span></p>
<p>ΔAUROC ${d ? `${esc(fmtSigned(d.difference))} ${esc(fmtInterval(d.ci, 3, true))}: p = ${esc(fmtP(d.p))} <span class="muted">(${esc(d.test)})</span>` : 'n/a (DeLong needs at least two images of each class)'}</p>`;
}

function seedsHtml(view: TaskView, o: HtmlOptions): string {
  if (view.seeds.length === 0) return '';
  const t = view.task;
  const s = view.task.acrossSeeds!;
  const rows = view.seeds
    .map(
      (r) =>
        `<tr data-metric="${r.metric}"><th>${esc(r.label)}</th><td class="num">${esc(fmtMeanSd(r.baseline))}</td><td class="num">${esc(fmtMeanSd(r.augmented))}</td><td class="num">${esc(r.difference ? fmtMeanSd(r.difference) : 'n/a')}</td>${pCell(r.pairedT, o.holm)}${pCell(r.wilcoxon, o.holm)}</tr>`,
    )
    .join('');
  return `<h3>Across seeds (${s.pairs} paired run${s.pairs === 1 ? '' : 's'})</h3>
<table class="seed-table"><thead><tr><th>metric</th><th>${esc(t.baselineArm)} mean ± SD</th><th>${esc(t.augmentedArm)} mean ± SD</th><th>Δ mean ± SD</th><th>p (paired t-test${o.holm ? ', Holm' : ''})</th><th>p (Wilcoxon signed-rank${o.holm ? ', Holm' : ''})</th></tr></thead><tbody>${rows}</tbody></table>
${s.comparison ? `<p class="muted">${esc(s.comparison.accuracy.pairedT.test)}; ${esc(s.comparison.accuracy.wilcoxon.test)}.</p>` : '<p class="muted">Paired tests across seeds need at least two seed pairs.</p>'}`;
}

function runTableHtml(run: RunModel, rows: TaskView['unpaired'][number]['rows'], o: HtmlOptions): string {
  const body = rows.map((r) => `<tr data-metric="${r.metric}"><th>${esc(r.label)}</th>${estimateCell(r.estimate.value, ciOf(r.estimate, o.ciMethod))}</tr>`).join('');
  return `<h3>Run '${esc(run.id)}' (${esc(run.arm)}, seed ${run.seed})</h3><table class="metric-table" data-run="${esc(run.id)}"><thead><tr><th>metric</th><th>estimate<br><span class="ci">95% CI (${CI_METHOD_TEXT[o.ciMethod]})</span></th></tr></thead><tbody>${body}</tbody></table>`;
}

function confusionHtml(view: TaskView): string {
  const t = view.task;
  return `<div class="grid">${t.runs
    .map((r) => {
      const m = r.metrics;
      return `<table class="confusion" data-run="${esc(r.id)}"><caption>${esc(r.id)} (${esc(r.arm)}) at ${esc(r.thresholdText)}</caption><thead><tr><th></th><th>predicted ${esc(t.positiveClass)}</th><th>predicted ${esc(t.negativeClass)}</th></tr></thead><tbody><tr><th>actual ${esc(t.positiveClass)}</th><td class="num">TP ${m.tp}</td><td class="num">FN ${m.fn}</td></tr><tr><th>actual ${esc(t.negativeClass)}</th><td class="num">FP ${m.fp}</td><td class="num">TN ${m.tn}</td></tr></tbody></table>`;
    })
    .join('')}</div>`;
}

function figure(spec: ChartSpec | null, o: HtmlOptions): string {
  if (!spec) return '';
  const img = o.images.get(spec.id);
  if (!img) return '';
  return `<figure data-chart="${esc(spec.id)}"><img src="${esc(img.dataUrl)}" width="${img.width}" height="${img.height}" alt="${esc(spec.title)}: ${esc(spec.description)}"><figcaption>${esc(spec.description)}</figcaption></figure>`;
}

function taskHtml(view: TaskView, o: HtmlOptions): string {
  const t = view.task;
  const splits = t.splits.map((s) => `<tr><th>${esc(s.split)}</th><td class="num">${s.positive}</td><td class="num">${s.negative}</td><td class="num">${esc(s.imbalanceRatio === null ? 'n/a' : `${fmt(s.imbalanceRatio, 2)} : 1`)}</td></tr>`).join('');
  const thresholds = t.runs.map((r) => `<li>${esc(r.id)} (${esc(r.arm)}): ${esc(r.thresholdText)}</li>`).join('');
  const config = t.runs.map((r) => ({ run: r.id, arm: r.arm, seed: r.seed, config: r.config }));
  const gallery = t.syntheticSamples.length
    ? `<h3>Synthetic samples <span class="badge">synthetic</span></h3><div class="grid gallery">${t.syntheticSamples
        .map((s) => `<figure><img src="${esc(s.dataUrl)}" alt="synthetic image ${esc(s.id)}"><figcaption>${esc(s.caption ?? s.id)} — synthetic</figcaption></figure>`)
        .join('')}</div>`
    : '';
  return `<section class="task" data-task="${esc(t.id)}"><h2>${esc(t.name)}</h2>
<p>Positive class: <b>${esc(t.positiveClass)}</b>; negative class: <b>${esc(t.negativeClass)}</b>.</p>
<h3>Data</h3><table class="data-summary"><thead><tr><th>split</th><th>${esc(t.positiveClass)}</th><th>${esc(t.negativeClass)}</th><th>imbalance (majority : minority)</th></tr></thead><tbody>${splits}</tbody></table>
<p>Synthetic images added: ${t.syntheticImagesAdded}</p>
<h3>Threshold policy</h3><p>${esc(t.thresholdPolicyText)}</p><ul>${thresholds}</ul>
${figure(view.charts.training, o)}
${t.pairingNotes.map((n) => `<p class="muted">${esc(n)}</p>`).join('')}
${view.comparisons.map((c) => comparisonHtml(view, c, o)).join('')}
${seedsHtml(view, o)}
${view.unpaired.map((u) => runTableHtml(u.run, u.rows, o)).join('')}
<div class="grid">${figure(view.charts.roc, o)}${figure(view.charts.pr, o)}</div>
<h3>Confusion matrices (test set)</h3>${confusionHtml(view)}
${view.charts.forests.length ? `<h3>Differences</h3>${view.charts.forests.map((f) => figure(f, o)).join('')}` : ''}
<h3>Configuration and seeds</h3><pre>${esc(JSON.stringify(config, null, 2))}</pre>
${gallery}</section>`;
}

export function reportHtml(model: ReportModel, views: TaskView[], stats: ReportStats | null, o: HtmlOptions): string {
  const env = model.environment;
  const envRows = env
    ? Object.entries(env)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? 'n/a' : typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`)
        .join('')
    : '<tr><td>not recorded in this report</td></tr>';
  const b = stats?.settings ?? model.bootstrap;
  const statsText = stats
    ? `${esc(stats.method)}, ${b.resamples} resamples, seed ${b.seed}, ${Math.round(b.confidence * 100)}% intervals (${CI_METHOD_TEXT[o.ciMethod]} shown; both in the JSON and CSV exports).`
    : 'Bootstrap intervals were not computed when this file was exported: intervals and bootstrap p-values are n/a.';
  // CSP: no fetch of any kind is possible; images only from data: URLs, inline styles only.
  const csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(model.title)}</title><style>${CSS}</style></head>
<body><h1>${esc(model.title)}</h1>
${model.reference ? `<p class="muted">${esc(model.reference)}</p>` : ''}${model.description ? `<p>${esc(model.description)}</p>` : ''}
<p class="muted">Report ${model.createdAt ? `created ${esc(model.createdAt)}, ` : ''}exported ${esc(o.exportedAt)} by cxr-ldm-augment ${esc(o.appVersion)}. Every number was recomputed from the per-image test labels and scores embedded in this file.</p>
<h2>Environment</h2><table class="environment"><tbody>${envRows}</tbody></table>
<h2>Statistics</h2><p>${statsText} Holm correction: ${o.holm ? 'applied across the metrics of each table' : 'not applied (raw p-values)'}.</p>
${views.map((v) => taskHtml(v, o)).join('\n')}
<script type="application/json" id="${EMBEDDED_REPORT_ID}">${scriptJson(o.reportJson)}</script>
</body></html>`;
}

/** The embedded report JSON of an exported HTML file, or null when there is none. */
export function extractEmbeddedReport(html: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${EMBEDDED_REPORT_ID}">([\\s\\S]*?)</script>`).exec(html);
  return m ? JSON.parse(m[1]) : null;
}
