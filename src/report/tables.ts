// Table rows shared by the page, the HTML/PDF exports and the CSV: point estimates from
// the report model, intervals and paired-bootstrap p-values from the stats job (null until
// it finishes), Holm adjustment across the metrics of one comparison.
import type { Interval } from '../core/metrics';
import { BOOTSTRAP_METRICS, DELONG_TEST, holmAdjust, MCNEMAR_TEST, PAIRED_BOOTSTRAP_TEST, type BootstrapMetric, type MeanSd, type MetricInterval } from '../core/stats';
import { METRIC_LABELS, type PairModel, type RunModel, type TaskModel } from './model';
import type { ReportStats } from './stats';

export type CiMethod = 'percentile' | 'bca';

export interface EstimateCell {
  value: number | null;
  percentile: Interval | null;
  bca: Interval | null;
}

export interface PCell {
  p: number | null;
  /** Holm-adjusted across the metrics of this comparison */
  holm: number | null;
  test: string;
}

export interface ComparisonRow {
  metric: BootstrapMetric;
  label: string;
  baseline: EstimateCell;
  augmented: EstimateCell;
  difference: EstimateCell;
  p: PCell;
}

export interface ComparisonTable {
  pair: PairModel;
  title: string;
  rows: ComparisonRow[];
  /** the two tests that are not per metric */
  mcnemar: PCell & { baselineOnlyCorrect: number; augmentedOnlyCorrect: number };
  delong: (PCell & { difference: number; ci: Interval }) | null;
}

export interface RunRow {
  metric: BootstrapMetric;
  label: string;
  estimate: EstimateCell;
}

export interface SeedRow {
  metric: BootstrapMetric;
  label: string;
  baseline: MeanSd;
  augmented: MeanSd;
  difference: MeanSd | null;
  pairedT: PCell | null;
  wilcoxon: PCell | null;
}

const none: Pick<EstimateCell, 'percentile' | 'bca'> = { percentile: null, bca: null };

function intervalCell(value: number | null, interval: MetricInterval | undefined): EstimateCell {
  return { value, percentile: interval?.percentile ?? null, bca: interval?.bca ?? null };
}

export function runRows(run: RunModel, stats: ReportStats | null): RunRow[] {
  const intervals = stats?.runs[run.id];
  return BOOTSTRAP_METRICS.map((metric) => ({ metric, label: METRIC_LABELS[metric], estimate: intervalCell(run.metrics[metric], intervals?.[metric]) }));
}

function withHolm(ps: (number | null)[], test: string): PCell[] {
  const adjusted = holmAdjust(ps);
  return ps.map((p, i) => ({ p, holm: adjusted[i], test }));
}

export function comparisonTable(task: TaskModel, pair: PairModel, stats: ReportStats | null): ComparisonTable {
  const base = task.runs.find((r) => r.id === pair.baselineRunId)!;
  const aug = task.runs.find((r) => r.id === pair.augmentedRunId)!;
  const diffs = stats?.pairs[pair.key];
  const baseIntervals = stats?.runs[base.id], augIntervals = stats?.runs[aug.id];
  const pCells = withHolm(
    BOOTSTRAP_METRICS.map((m) => diffs?.[m].p.p ?? null),
    PAIRED_BOOTSTRAP_TEST,
  );
  const rows = BOOTSTRAP_METRICS.map((metric, i): ComparisonRow => {
    const b = base.metrics[metric], a = aug.metrics[metric];
    const d = diffs?.[metric];
    return {
      metric,
      label: METRIC_LABELS[metric],
      baseline: intervalCell(b, baseIntervals?.[metric]),
      augmented: intervalCell(a, augIntervals?.[metric]),
      difference: { value: b !== null && a !== null ? a - b : null, ...(d ? { percentile: d.percentile, bca: d.bca } : none) },
      p: pCells[i],
    };
  });
  const seedText = pair.seed !== null ? `seed ${pair.seed}` : 'paired by order';
  return {
    pair,
    title: `${task.baselineArm} '${base.id}' vs ${task.augmentedArm} '${aug.id}' (${seedText})`,
    rows,
    mcnemar: { p: pair.mcnemar.p, holm: null, test: MCNEMAR_TEST, baselineOnlyCorrect: pair.mcnemar.baselineOnlyCorrect, augmentedOnlyCorrect: pair.mcnemar.augmentedOnlyCorrect },
    delong: pair.delong ? { p: pair.delong.p, holm: null, test: DELONG_TEST, difference: pair.delong.difference, ci: pair.delong.ci } : null,
  };
}

export function seedRows(task: TaskModel): SeedRow[] {
  const s = task.acrossSeeds;
  if (!s) return [];
  const c = s.comparison;
  const tCells = c ? withHolm(BOOTSTRAP_METRICS.map((m) => c[m].pairedT.p), c.accuracy.pairedT.test) : null;
  const wCells = c ? withHolm(BOOTSTRAP_METRICS.map((m) => c[m].wilcoxon.p), c.accuracy.wilcoxon.test) : null;
  return BOOTSTRAP_METRICS.map((metric, i) => ({
    metric,
    label: METRIC_LABELS[metric],
    baseline: s.baseline[metric],
    augmented: s.augmented[metric],
    difference: c ? c[metric].difference : null,
    pairedT: tCells ? tCells[i] : null,
    wilcoxon: wCells ? wCells[i] : null,
  }));
}

/** Runs that are in no comparison (single-arm reports, unmatched runs, extra arms). */
export function unpairedRuns(task: TaskModel): RunModel[] {
  const inPair = new Set(task.pairs.flatMap((p) => [p.baselineRunId, p.augmentedRunId]));
  return task.runs.filter((r) => !inPair.has(r.id));
}

// ---- formatting (shared so the page, HTML, PDF and CSV show the same digits) ----

export function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

export function fmtSigned(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(digits)}`;
}

export function fmtInterval(ci: Interval | null | undefined, digits = 3, signed = false): string {
  if (!ci) return '';
  const f = signed ? fmtSigned : fmt;
  return `[${f(ci[0], digits)}, ${f(ci[1], digits)}]`;
}

export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  if (p < 0.001) return '<0.001';
  return p.toFixed(3);
}

export function fmtMeanSd(m: MeanSd, digits = 3): string {
  if (m.mean === null) return 'n/a';
  return m.sd === null ? `${fmt(m.mean, digits)} (n=${m.n})` : `${fmt(m.mean, digits)} ± ${fmt(m.sd, digits)} (n=${m.n})`;
}

export function ciOf(cell: EstimateCell, method: CiMethod): Interval | null {
  return method === 'bca' ? cell.bca : cell.percentile;
}

export const CI_METHOD_TEXT: Record<CiMethod, string> = { percentile: 'percentile', bca: 'BCa' };

/** Short names for column headers; the full test name goes in footnotes and tooltips. */
export function shortTestName(test: string): string {
  if (test.startsWith('paired stratified bootstrap')) return 'paired bootstrap';
  if (test.startsWith('exact McNemar')) return 'exact McNemar';
  if (test.startsWith("DeLong's test")) return 'DeLong';
  if (test.startsWith('paired t-test')) return 'paired t-test';
  if (test.startsWith('Wilcoxon')) return 'Wilcoxon signed-rank';
  return test;
}

/** The p shown: Holm-adjusted when asked and available. */
export function shownP(cell: PCell, holm: boolean): number | null {
  return holm ? cell.holm : cell.p;
}
