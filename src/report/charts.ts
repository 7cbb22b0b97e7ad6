// Chart.js configurations of the report's charts. The page draws them on live canvases
// (ui/components/ChartCanvas.svelte) and the exports draw the very same configurations on
// detached canvases into PNG data URLs (chart-images.ts), so what is exported is what is shown.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { RunModel, TaskModel } from './model';
import { fmt, type CiMethod, type ComparisonTable } from './tables';

export interface ChartSpec {
  /** stable id within a report, used for test ids and file names */
  id: string;
  title: string;
  config: ChartConfiguration;
  /** text alternative (also the caption in exports) */
  description: string;
}

const ARM_COLOURS = ['#1f5fa8', '#d9622b', '#2e8b57', '#8e44ad', '#7f6a00'];
const DASHES = [[], [6, 3], [2, 2], [10, 3, 2, 3], [1, 4]];

function styleOf(task: TaskModel, run: RunModel) {
  const arm = task.arms.indexOf(run.arm);
  const nth = task.runs.filter((r) => r.arm === run.arm).indexOf(run);
  return { borderColor: ARM_COLOURS[arm % ARM_COLOURS.length], backgroundColor: ARM_COLOURS[arm % ARM_COLOURS.length], borderDash: DASHES[nth % DASHES.length] };
}

const unitAxis = (title: string) => ({ type: 'linear' as const, min: 0, max: 1, title: { display: true, text: title } });

function curveChart(id: string, title: string, datasets: ChartDataset<'line', { x: number; y: number }[]>[], x: string, y: string, description: string): ChartSpec {
  return {
    id,
    title,
    description,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        parsing: false,
        animation: false,
        plugins: { title: { display: true, text: title }, legend: { position: 'bottom' } },
        scales: { x: unitAxis(x), y: unitAxis(y) },
        elements: { point: { radius: 0 }, line: { borderWidth: 2, tension: 0 } },
      },
    },
  };
}

export function rocChart(task: TaskModel): ChartSpec | null {
  const runs = task.runs.filter((r) => r.roc);
  if (runs.length === 0) return null;
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = runs.map((run) => ({
    label: `${run.id} (${run.arm}) AUROC ${fmt(run.metrics.auroc)}`,
    data: run.roc!.fpr.map((f, i) => ({ x: f, y: run.roc!.tpr[i] })),
    ...styleOf(task, run),
    fill: false,
  }));
  datasets.push({ label: 'chance', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: '#999', backgroundColor: '#999', borderDash: [4, 4], borderWidth: 1, fill: false });
  return curveChart(`roc-${task.id}`, `ROC curves — ${task.name}`, datasets, '1 − specificity (false positive rate)', 'sensitivity (true positive rate)', `ROC curves of ${runs.length} run(s) on the test set.`);
}

export function prChart(task: TaskModel): ChartSpec | null {
  const runs = task.runs.filter((r) => r.pr);
  if (runs.length === 0) return null;
  const datasets = runs.map((run) => ({
    label: `${run.id} (${run.arm}) AP ${fmt(run.metrics.averagePrecision)}`,
    // sklearn's step-wise AP corresponds to a right-continuous step plot of precision over recall.
    data: run.pr!.recall.map((r, i) => ({ x: r, y: run.pr!.precision[i] })),
    stepped: 'after' as const,
    ...styleOf(task, run),
    fill: false,
  }));
  return curveChart(`pr-${task.id}`, `Precision–recall curves — ${task.name}`, datasets, 'recall (sensitivity)', 'precision', `Precision–recall curves of ${runs.length} run(s) on the test set.`);
}

/**
 * Forest plot of augmented − baseline per metric: a floating bar for the CI and a point
 * for Δ, with metrics on the y axis and a darker grid line at Δ = 0. Before the bootstrap
 * has finished only the points are drawn.
 */
export function forestChart(task: TaskModel, table: ComparisonTable, method: CiMethod): ChartSpec {
  const rows = table.rows.filter((r) => r.difference.value !== null);
  const labels = rows.map((r) => r.label);
  const interval = (r: (typeof rows)[number]) => (method === 'bca' ? r.difference.bca : r.difference.percentile);
  const title = `Δ ${task.augmentedArm} − ${task.baselineArm}: ${table.pair.augmentedRunId} vs ${table.pair.baselineRunId}`;
  return {
    id: `forest-${task.id}-${table.pair.augmentedRunId}`,
    title,
    description: `Differences with ${method === 'bca' ? 'BCa' : 'percentile'} 95% paired-bootstrap intervals; a bar crossing 0 means no significant difference at that level.`,
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            type: 'bar',
            label: `${Math.round(100 * 0.95)}% CI (${method === 'bca' ? 'BCa' : 'percentile'})`,
            data: rows.map((r) => {
              const ci = interval(r);
              return ci ? ([ci[0], ci[1]] as [number, number]) : null;
            }) as unknown as number[],
            backgroundColor: 'rgba(31, 95, 168, 0.35)',
            borderColor: '#1f5fa8',
            borderWidth: 1,
            barPercentage: 0.35,
          },
          {
            type: 'line',
            label: 'Δ (augmented − baseline)',
            data: rows.map((r) => r.difference.value as number),
            showLine: false,
            pointRadius: 5,
            pointStyle: 'rectRot',
            borderColor: '#14243b',
            backgroundColor: '#14243b',
          },
        ],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        plugins: { title: { display: true, text: title }, legend: { position: 'bottom' } },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: 'difference' },
            grid: { color: (ctx) => (ctx.tick?.value === 0 ? '#14243b' : 'rgba(0,0,0,0.1)'), lineWidth: (ctx) => (ctx.tick?.value === 0 ? 2 : 1) },
          },
          y: { type: 'category' },
        },
      },
    },
  };
}

/** Training curves of every run that has them: one line per run and measured quantity. */
export function trainingChart(task: TaskModel): ChartSpec | null {
  const runs = task.runs.filter((r) => r.trainingCurve && r.trainingCurve.length > 0);
  if (runs.length === 0) return null;
  const datasets: ChartDataset<'line', { x: number; y: number | null }[]>[] = [];
  for (const run of runs) {
    const keys = [...new Set(run.trainingCurve!.flatMap((p) => Object.keys(p).filter((k) => k !== 'epoch')))];
    keys.forEach((key, k) => {
      const style = styleOf(task, run);
      datasets.push({
        label: `${run.id} ${key}`,
        data: run.trainingCurve!.map((p) => ({ x: p.epoch, y: typeof p[key] === 'number' && Number.isFinite(p[key]) ? (p[key] as number) : null })),
        borderColor: style.borderColor,
        backgroundColor: style.backgroundColor,
        borderDash: DASHES[k % DASHES.length],
        // Loss and AUROC-like quantities differ in scale: losses on the left axis.
        yAxisID: /loss/i.test(key) ? 'y' : 'y1',
        spanGaps: true,
        fill: false,
      });
    });
  }
  const title = `Training curves — ${task.name}`;
  return {
    id: `training-${task.id}`,
    title,
    description: `Per-epoch training and validation quantities of ${runs.length} run(s).`,
    config: {
      type: 'line',
      data: { datasets: datasets as ChartDataset<'line', { x: number; y: number }[]>[] },
      options: {
        parsing: false,
        animation: false,
        plugins: { title: { display: true, text: title }, legend: { position: 'bottom' } },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'epoch' } },
          y: { type: 'linear', position: 'left', title: { display: true, text: 'loss' } },
          y1: { type: 'linear', position: 'right', title: { display: true, text: 'other' }, grid: { drawOnChartArea: false } },
        },
        elements: { point: { radius: 2 } },
      },
    },
  };
}

export interface TaskCharts {
  training: ChartSpec | null;
  roc: ChartSpec | null;
  pr: ChartSpec | null;
  /** one per baseline/augmented pair */
  forests: ChartSpec[];
}

export function taskCharts(task: TaskModel, tables: ComparisonTable[], method: CiMethod): TaskCharts {
  return { training: trainingChart(task), roc: rocChart(task), pr: prChart(task), forests: tables.map((t) => forestChart(task, t, method)) };
}

export function allChartSpecs(charts: TaskCharts): ChartSpec[] {
  return [charts.training, charts.roc, charts.pr, ...charts.forests].filter((c): c is ChartSpec => c !== null);
}
