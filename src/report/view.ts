// Everything one task shows, assembled once for the page, the HTML and the PDF.
import { allChartSpecs, taskCharts, type ChartSpec, type TaskCharts } from './charts';
import type { ReportModel, RunModel, TaskModel } from './model';
import type { ReportStats } from './stats';
import { comparisonTable, runRows, seedRows, unpairedRuns, type CiMethod, type ComparisonTable, type RunRow, type SeedRow } from './tables';

export interface TaskView {
  task: TaskModel;
  comparisons: ComparisonTable[];
  seeds: SeedRow[];
  unpaired: { run: RunModel; rows: RunRow[] }[];
  charts: TaskCharts;
}

export function taskView(task: TaskModel, stats: ReportStats | null, method: CiMethod): TaskView {
  const comparisons = task.pairs.map((pair) => comparisonTable(task, pair, stats));
  return {
    task,
    comparisons,
    seeds: seedRows(task),
    unpaired: unpairedRuns(task).map((run) => ({ run, rows: runRows(run, stats) })),
    charts: taskCharts(task, comparisons, method),
  };
}

export function reportViews(model: ReportModel, stats: ReportStats | null, method: CiMethod): TaskView[] {
  return model.tasks.map((t) => taskView(t, stats, method));
}

export function reportChartSpecs(views: TaskView[]): ChartSpec[] {
  return views.flatMap((v) => allChartSpecs(v.charts));
}
