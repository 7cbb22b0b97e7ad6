// JSON and CSV exports. The JSON is the versioned report schema itself (per-image test
// labels and scores of every run, so anyone can recompute every number) with the computed
// results attached for convenience; importing it recomputes them rather than reading them.
// Undefined numbers are written as null (JSON) or empty / "n/a" (CSV), never NaN.
import type { Report } from '../core/report';
import type { ReportModel } from './model';
import { comparisonTable, runRows, seedRows, type CiMethod, type EstimateCell } from './tables';
import type { ReportStats } from './stats';

/** Deep copy with every non-finite number (NaN, ±Infinity) replaced by null and typed arrays as plain arrays. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>, jsonSafe);
  if (Array.isArray(value)) return value.map(jsonSafe);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonSafe(v);
  return out;
}

export interface ExportInfo {
  appVersion: string;
  /** ISO time of the export */
  exportedAt: string;
}

/** The report with computed results attached at report, task and run level. */
export function reportWithResults(report: Report, model: ReportModel, stats: ReportStats | null, info: ExportInfo): Report {
  const tasks = report.tasks.map((task, t) => {
    const tm = model.tasks[t];
    return {
      ...task,
      results: {
        thresholdPolicy: tm.thresholdPolicyText,
        splits: tm.splits,
        pairingNotes: tm.pairingNotes,
        comparisons: tm.pairs.map((pair) => ({
          baselineRunId: pair.baselineRunId,
          augmentedRunId: pair.augmentedRunId,
          seed: pair.seed,
          mcnemar: pair.mcnemar,
          delong: pair.delong,
          pairedBootstrap: stats?.pairs[pair.key] ?? null,
        })),
        acrossSeeds: tm.acrossSeeds,
      },
      runs: task.runs.map((run, r) => {
        const rm = tm.runs[r];
        return {
          ...run,
          results: {
            threshold: rm.threshold,
            thresholdText: rm.thresholdText,
            metrics: rm.metrics,
            bootstrap: stats?.runs[rm.id] ?? null,
          },
        };
      }),
    };
  });
  return jsonSafe({
    ...report,
    tasks,
    results: {
      note: 'Computed by this app for convenience. On import every number is recomputed from the per-image labels and scores; these fields are not read.',
      computedBy: `cxr-ldm-augment ${info.appVersion}`,
      exportedAt: info.exportedAt,
      bootstrap: stats ? { ...stats.settings, method: stats.method } : null,
    },
  }) as Report;
}

export function reportJsonText(report: Report, model: ReportModel, stats: ReportStats | null, info: ExportInfo): string {
  return JSON.stringify(reportWithResults(report, model, stats, info), null, 2);
}

// ---- CSV ----

function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function csv(rows: (string | number | null | undefined)[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export const METRICS_CSV_HEADER = [
  'task_id',
  'run_id',
  'arm',
  'seed',
  'threshold',
  'metric',
  'estimate',
  'sd',
  'ci_percentile_low',
  'ci_percentile_high',
  'ci_bca_low',
  'ci_bca_high',
  'compared_with',
  'delta',
  'delta_ci_percentile_low',
  'delta_ci_percentile_high',
  'delta_ci_bca_low',
  'delta_ci_bca_high',
  'p',
  'p_holm',
  'p_test',
  'p2',
  'p2_test',
] as const;

type CsvRow = (string | number | null)[];

function ci(cell: EstimateCell | null, method: CiMethod): [number | null, number | null] {
  const i = cell ? (method === 'bca' ? cell.bca : cell.percentile) : null;
  return i ? [i[0], i[1]] : [null, null];
}

/**
 * One row per run × metric: the run's estimate with its bootstrap CIs; for the augmented
 * run of a pair also Δ (augmented − baseline) with its paired-bootstrap CIs and p. The
 * second test column carries McNemar on the accuracy row and DeLong on the AUROC row.
 * When a task has several runs per arm, rows with run_id "across seeds" give mean, SD,
 * the paired t-test (p) and the Wilcoxon signed-rank test (p2).
 */
export function metricsCsv(model: ReportModel, stats: ReportStats | null): string {
  const rows: CsvRow[] = [[...METRICS_CSV_HEADER]];
  for (const task of model.tasks) {
    const comparisons = new Map(task.pairs.map((pair) => [pair.augmentedRunId, comparisonTable(task, pair, stats)]));
    for (const run of task.runs) {
      const table = comparisons.get(run.id);
      for (const row of runRows(run, stats)) {
        const base: CsvRow = [task.id, run.id, run.arm, run.seed, run.threshold.threshold, row.metric, row.estimate.value, stats?.runs[run.id]?.[row.metric].standardError ?? null, ...ci(row.estimate, 'percentile'), ...ci(row.estimate, 'bca')];
        if (!table) {
          rows.push([...base, null, null, null, null, null, null, null, null, null, null, null]);
          continue;
        }
        const c = table.rows.find((r) => r.metric === row.metric)!;
        const second = row.metric === 'accuracy' ? table.mcnemar : row.metric === 'auroc' ? table.delong : null;
        rows.push([...base, table.pair.baselineRunId, c.difference.value, ...ci(c.difference, 'percentile'), ...ci(c.difference, 'bca'), c.p.p, c.p.holm, c.p.test, second?.p ?? null, second?.test ?? null]);
      }
    }
    for (const s of seedRows(task)) {
      const arm = (name: string | null, m: typeof s.baseline): CsvRow => [task.id, 'across seeds', name, null, null, s.metric, m.mean, m.sd, null, null, null, null];
      rows.push([...arm(task.baselineArm, s.baseline), null, null, null, null, null, null, null, null, null, null, null]);
      rows.push([...arm(task.augmentedArm, s.augmented), task.baselineArm, s.difference?.mean ?? null, null, null, null, null, s.pairedT?.p ?? null, s.pairedT?.holm ?? null, s.pairedT?.test ?? null, s.wilcoxon?.p ?? null, s.wilcoxon?.test ?? null]);
    }
  }
  return csv(rows);
}

export const SCORES_CSV_HEADER = ['task_id', 'run_id', 'arm', 'seed', 'image_id', 'label', 'score', 'threshold', 'predicted'] as const;

/** Per-image test scores of every run, with the threshold each run used. */
export function scoresCsv(model: ReportModel): string {
  const rows: CsvRow[] = [[...SCORES_CSV_HEADER]];
  for (const task of model.tasks) {
    for (const run of task.runs) {
      const t = run.threshold.threshold;
      run.imageIds.forEach((id, i) => rows.push([task.id, run.id, run.arm, run.seed, id, run.labels[i], run.scores[i], t, run.scores[i] >= t ? 1 : 0]));
    }
  }
  return csv(rows);
}

