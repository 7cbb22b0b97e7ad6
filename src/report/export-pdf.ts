// PDF export with jspdf: the same sections as the HTML export, tables laid out by hand and
// charts as the same PNG images. jspdf's built-in fonts cover WinAnsi only, so symbols
// such as Δ, −, ± and ≥ are spelled out (pdfText).
import { jsPDF } from 'jspdf';
import type { ChartImage } from './chart-images';
import type { ChartSpec } from './charts';
import type { ReportModel } from './model';
import type { ReportStats } from './stats';
import { CI_METHOD_TEXT, ciOf, fmt, fmtInterval, fmtMeanSd, fmtP, fmtSigned, shortTestName, shownP, type CiMethod } from './tables';
import type { TaskView } from './view';

export interface PdfOptions {
  ciMethod: CiMethod;
  holm: boolean;
  appVersion: string;
  exportedAt: string;
  images: Map<string, ChartImage>;
}

const REPLACEMENTS: [RegExp, string][] = [
  [/Δ/g, 'Delta '],
  [/[−–—]/g, '-'],
  [/±/g, '+/-'],
  [/≥/g, '>='],
  [/≤/g, '<='],
  [/·/g, '*'],
  [/[‘’]/g, "'"],
  [/[“”]/g, '"'],
  [/…/g, '...'],
];

export function pdfText(s: string): string {
  let out = s;
  for (const [re, to] of REPLACEMENTS) out = out.replace(re, to);
  // Anything else outside Latin-1 would print as garbage.
  return out.replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?');
}

const PAGE = { width: 210, height: 297, margin: 14 };

class PdfWriter {
  readonly doc = new jsPDF({ unit: 'mm', format: 'a4', compress: true });
  y = PAGE.margin;
  private readonly width = PAGE.width - 2 * PAGE.margin;

  private ensure(height: number) {
    if (this.y + height > PAGE.height - PAGE.margin) {
      this.doc.addPage();
      this.y = PAGE.margin;
    }
  }

  heading(text: string, size: number) {
    this.ensure(size * 0.6 + 4);
    this.y += 2;
    this.doc.setFont('helvetica', 'bold').setFontSize(size);
    this.doc.text(pdfText(text), PAGE.margin, this.y + size * 0.35);
    this.y += size * 0.45 + 2;
    this.doc.setFont('helvetica', 'normal');
  }

  paragraph(text: string, size = 9) {
    this.doc.setFontSize(size);
    const lines: string[] = this.doc.splitTextToSize(pdfText(text), this.width);
    for (const line of lines) {
      this.ensure(size * 0.42);
      this.doc.text(line, PAGE.margin, this.y + size * 0.35);
      this.y += size * 0.42;
    }
    this.y += 1.5;
  }

  /** Column widths in fractions of the text width; cells may contain "\n". */
  table(header: string[], rows: string[][], fractions: number[], size = 7.5) {
    const lineH = size * 0.4;
    const widths = fractions.map((f) => f * this.width);
    const draw = (cells: string[], bold: boolean) => {
      this.doc.setFont('helvetica', bold ? 'bold' : 'normal').setFontSize(size);
      const wrapped = cells.map((c, i) => this.doc.splitTextToSize(pdfText(c), widths[i] - 2) as string[]);
      const height = Math.max(...wrapped.map((w) => w.length)) * lineH + 1.6;
      this.ensure(height);
      let x = PAGE.margin;
      wrapped.forEach((lines, i) => {
        if (bold) {
          this.doc.setFillColor(238, 242, 247);
          this.doc.rect(x, this.y, widths[i], height, 'F');
        }
        this.doc.setDrawColor(200, 206, 214).rect(x, this.y, widths[i], height);
        lines.forEach((line, k) => this.doc.text(line, x + 1, this.y + 1 + lineH * (k + 0.8)));
        x += widths[i];
      });
      this.y += height;
    };
    draw(header, true);
    for (const r of rows) draw(r, false);
    this.doc.setFont('helvetica', 'normal');
    this.y += 2;
  }

  image(img: ChartImage, caption: string) {
    const w = Math.min(this.width, 150);
    const h = (w * img.height) / img.width;
    this.ensure(h + 6);
    this.doc.addImage(img.dataUrl, 'PNG', PAGE.margin, this.y, w, h);
    this.y += h + 1;
    this.paragraph(caption, 7.5);
  }

  /** Synthetic samples come as data URLs of any image type; jspdf reads PNG and JPEG. */
  thumbnails(items: { dataUrl: string; caption: string }[]) {
    const size = 30, gap = 4;
    const perRow = Math.floor((this.width + gap) / (size + gap));
    for (let i = 0; i < items.length; i += perRow) {
      this.ensure(size + 6);
      items.slice(i, i + perRow).forEach((it, k) => {
        const format = /^data:image\/png/.test(it.dataUrl) ? 'PNG' : /^data:image\/jpe?g/.test(it.dataUrl) ? 'JPEG' : null;
        const x = PAGE.margin + k * (size + gap);
        if (format) this.doc.addImage(it.dataUrl, format, x, this.y, size, size);
        else this.doc.setFontSize(6).text('(image type not embeddable in PDF)', x, this.y + size / 2, { maxWidth: size });
        this.doc.setFontSize(6).text(pdfText(it.caption), x, this.y + size + 3, { maxWidth: size });
      });
      this.y += size + 6;
    }
  }
}

function cellWithCi(value: number | null, ci: [number, number] | null, signed = false): string {
  return `${signed ? fmtSigned(value) : fmt(value)}${ci ? `\n${fmtInterval(ci, 3, signed)}` : ''}`;
}

function chart(w: PdfWriter, spec: ChartSpec | null, o: PdfOptions) {
  const img = spec && o.images.get(spec.id);
  if (spec && img) w.image(img, `${spec.title}. ${spec.description}`);
}

function writeTask(w: PdfWriter, v: TaskView, o: PdfOptions) {
  const t = v.task;
  const m = CI_METHOD_TEXT[o.ciMethod];
  w.heading(t.name, 14);
  w.paragraph(`Positive class: ${t.positiveClass}; negative class: ${t.negativeClass}. Synthetic images added: ${t.syntheticImagesAdded}.`);
  w.table(
    ['split', t.positiveClass, t.negativeClass, 'imbalance (majority : minority)'],
    t.splits.map((s) => [s.split, String(s.positive), String(s.negative), s.imbalanceRatio === null ? 'n/a' : `${fmt(s.imbalanceRatio, 2)} : 1`]),
    [0.25, 0.2, 0.2, 0.35],
  );
  w.heading('Threshold policy', 11);
  w.paragraph(t.thresholdPolicyText);
  for (const r of t.runs) w.paragraph(`${r.id} (${r.arm}): ${r.thresholdText}`, 8);
  for (const note of t.pairingNotes) w.paragraph(note, 8);
  for (const c of v.comparisons) {
    w.heading(c.title, 11);
    w.table(
      ['metric', `${t.baselineArm}\n95% CI (${m})`, `${t.augmentedArm}\n95% CI (${m})`, `Delta ${t.augmentedArm} - ${t.baselineArm}\n95% CI (${m})`, `p (${shortTestName(c.rows[0].p.test)}${o.holm ? ', Holm' : ''})`],
      c.rows.map((r) => [
        r.label,
        cellWithCi(r.baseline.value, ciOf(r.baseline, o.ciMethod)),
        cellWithCi(r.augmented.value, ciOf(r.augmented, o.ciMethod)),
        cellWithCi(r.difference.value, ciOf(r.difference, o.ciMethod), true),
        fmtP(shownP(r.p, o.holm)),
      ]),
      [0.22, 0.19, 0.19, 0.24, 0.16],
    );
    w.paragraph(`p: ${c.rows[0].p.test}${o.holm ? '; Holm-adjusted across the metrics of this table' : ''}.`, 7.5);
    w.paragraph(`Exact McNemar (${c.mcnemar.baselineOnlyCorrect} correct only by ${t.baselineArm}, ${c.mcnemar.augmentedOnlyCorrect} only by ${t.augmentedArm}): p = ${fmtP(c.mcnemar.p)} (${c.mcnemar.test}).`, 8);
    const d = c.delong;
    w.paragraph(d ? `Delta AUROC ${fmtSigned(d.difference)} ${fmtInterval(d.ci, 3, true)}: p = ${fmtP(d.p)} (${d.test}).` : 'Delta AUROC: DeLong needs at least two images of each class.', 8);
  }
  if (v.seeds.length) {
    w.heading(`Across seeds (${t.acrossSeeds!.pairs} paired runs)`, 11);
    w.table(
      ['metric', `${t.baselineArm} mean +/- SD`, `${t.augmentedArm} mean +/- SD`, 'Delta mean +/- SD', `p (paired t${o.holm ? ', Holm' : ''})`, `p (Wilcoxon${o.holm ? ', Holm' : ''})`],
      v.seeds.map((r) => [r.label, fmtMeanSd(r.baseline), fmtMeanSd(r.augmented), r.difference ? fmtMeanSd(r.difference) : 'n/a', r.pairedT ? fmtP(shownP(r.pairedT, o.holm)) : 'n/a', r.wilcoxon ? fmtP(shownP(r.wilcoxon, o.holm)) : 'n/a']),
      [0.2, 0.17, 0.17, 0.17, 0.14, 0.15],
    );
  }
  for (const u of v.unpaired) {
    w.heading(`Run '${u.run.id}' (${u.run.arm}, seed ${u.run.seed})`, 11);
    w.table(['metric', `estimate, 95% CI (${m})`], u.rows.map((r) => [r.label, cellWithCi(r.estimate.value, ciOf(r.estimate, o.ciMethod)).replace('\n', ' ')]), [0.4, 0.6]);
  }
  w.heading('Confusion matrices (test set)', 11);
  w.table(
    ['run', 'threshold', 'TP', 'FN', 'FP', 'TN'],
    t.runs.map((r) => [`${r.id} (${r.arm})`, fmt(r.threshold.threshold, 4), String(r.metrics.tp), String(r.metrics.fn), String(r.metrics.fp), String(r.metrics.tn)]),
    [0.35, 0.15, 0.125, 0.125, 0.125, 0.125],
  );
  chart(w, v.charts.roc, o);
  chart(w, v.charts.pr, o);
  for (const f of v.charts.forests) chart(w, f, o);
  chart(w, v.charts.training, o);
  w.heading('Configuration and seeds', 11);
  w.paragraph(JSON.stringify(t.runs.map((r) => ({ run: r.id, arm: r.arm, seed: r.seed, config: r.config }))), 7);
  if (t.syntheticSamples.length) {
    w.heading('Synthetic samples (synthetic images)', 11);
    w.thumbnails(t.syntheticSamples.map((s) => ({ dataUrl: s.dataUrl, caption: `${s.caption ?? s.id} (synthetic)` })));
  }
}

export function reportPdf(model: ReportModel, views: TaskView[], stats: ReportStats | null, o: PdfOptions): Blob {
  const w = new PdfWriter();
  w.heading(model.title, 18);
  if (model.reference) w.paragraph(model.reference);
  if (model.description) w.paragraph(model.description);
  w.paragraph(`${model.createdAt ? `Created ${model.createdAt}. ` : ''}Exported ${o.exportedAt} by cxr-ldm-augment ${o.appVersion}. Every number was recomputed from the per-image test labels and scores.`, 8);
  w.heading('Environment', 12);
  const env = model.environment;
  if (env) w.table(['', ''], Object.entries(env).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? 'n/a' : typeof v === 'object' ? JSON.stringify(v) : String(v)]), [0.25, 0.75]);
  else w.paragraph('Not recorded in this report.');
  w.heading('Statistics', 12);
  const b = stats?.settings ?? model.bootstrap;
  w.paragraph(
    stats
      ? `${stats.method}; ${b.resamples} resamples, seed ${b.seed}, ${Math.round(b.confidence * 100)}% intervals (${CI_METHOD_TEXT[o.ciMethod]}). Holm correction: ${o.holm ? 'applied across the metrics of each table' : 'not applied'}.`
      : 'Bootstrap intervals were not computed when this file was exported: intervals and bootstrap p-values are n/a.',
  );
  for (const v of views) {
    w.doc.addPage();
    w.y = PAGE.margin;
    writeTask(w, v, o);
  }
  return w.doc.output('blob');
}
