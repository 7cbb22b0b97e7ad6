// The report model recomputes from labels and scores; expected values are worked out by
// hand in fixtures.ts (not by the code under test).
import { describe, expect, it } from 'vitest';
import { parseReport, type ReportInput } from '../../../src/core/report';
import { bootstrapMetrics, pairedBootstrap, PAIRED_T_TEST, WILCOXON_EXACT_TEST } from '../../../src/core/stats';
import { buildReportModel, planBootstrap, runBootstrapPlan, comparisonTable, seedRows, fmt, fmtP, fmtSigned } from '../../../src/report';
import { augmentedScores, baselineScores, records, smallReport } from './fixtures';

const model = () => buildReportModel(parseReport(smallReport()));

describe('report model', () => {
  it('recomputes the confusion tables and metrics at the fixed threshold', () => {
    const [task] = model().tasks;
    const [base, aug] = task.runs;
    expect([base.metrics.tp, base.metrics.fn, base.metrics.fp, base.metrics.tn]).toEqual([3, 1, 1, 3]);
    expect([aug.metrics.tp, aug.metrics.fn, aug.metrics.fp, aug.metrics.tn]).toEqual([4, 0, 1, 3]);
    expect(base.metrics.sensitivity).toBe(0.75);
    expect(base.metrics.specificity).toBe(0.75);
    // MCC = (3·3 − 1·1)/√(4·4·4·4) = 8/16; kappa = 2(9 − 1)/(4·4 + 4·4) = 0.5
    expect(base.metrics.mcc).toBeCloseTo(0.5, 12);
    expect(base.metrics.kappa).toBeCloseTo(0.5, 12);
    expect(aug.metrics.sensitivity).toBe(1);
    expect(aug.metrics.youden).toBeCloseTo(0.75, 12);
    expect(base.metrics.auroc).toBe(14 / 16);
    expect(aug.metrics.auroc).toBe(15 / 16);
    expect(base.thresholdText).toBe('fixed threshold 0.5000');
  });

  it('ignores results carried in the file', () => {
    const input = smallReport();
    (input.tasks[0].runs[0] as { results?: unknown }).results = { sensitivity: 0.99 };
    const [task] = buildReportModel(parseReport(input)).tasks;
    expect(task.runs[0].metrics.sensitivity).toBe(0.75);
  });

  it('summarises the data: imbalance ratio and synthetic images', () => {
    const [task] = model().tasks;
    expect(task.splits.find((s) => s.split === 'train')).toEqual({ split: 'train', positive: 30, negative: 10, imbalanceRatio: 3 });
    expect(task.syntheticImagesAdded).toBe(20);
  });

  it('pairs baseline and augmented by seed and aligns images by id', () => {
    const [task] = model().tasks;
    expect(task.pairs).toHaveLength(1);
    const pair = task.pairs[0];
    expect(Array.from(pair.augmentedScores)).toEqual(augmentedScores);
    // Only a3 (0.4 → 0.7) changes correctness: b = 0 baseline-only, c = 1 augmented-only; p = 2·P(X ≤ 0 | n = 1) = 1.
    expect(pair.mcnemar).toMatchObject({ baselineOnlyCorrect: 0, augmentedOnlyCorrect: 1, bothCorrect: 6, bothWrong: 1 });
    expect(pair.mcnemar.p).toBeCloseTo(1, 12);
    expect(pair.delong!.difference).toBeCloseTo(1 / 16, 12);
    expect(task.acrossSeeds).toBeNull();
  });

  it('chooses the Youden threshold on validation and applies it unchanged to the test set', () => {
    const input = smallReport();
    const task = input.tasks[0];
    task.thresholdPolicy = { policy: 'youden-validation' };
    // Validation: positives 0.8, 0.65; negatives 0.6, 0.3. J = 0.5 at 0.8, 1 at 0.65 → threshold 0.65.
    const validation = [
      { imageId: 'v1', label: 1 as const, score: 0.8 },
      { imageId: 'v2', label: 1 as const, score: 0.65 },
      { imageId: 'v3', label: 0 as const, score: 0.6 },
      { imageId: 'v4', label: 0 as const, score: 0.3 },
    ];
    task.runs.forEach((r) => (r.validation = validation));
    const [t] = buildReportModel(parseReport(input)).tasks;
    expect(t.runs[0].threshold.threshold).toBe(0.65);
    // Baseline test at 0.65: positives 0.9, 0.8 called positive, 0.6, 0.4 not → 0.5; negative 0.7 → FP.
    expect(t.runs[0].metrics.sensitivity).toBe(0.5);
    expect(t.runs[0].metrics.specificity).toBe(0.75);
    expect(t.thresholdPolicyText).toMatch(/validation.*applied unchanged to the test set/);
  });

  it('summarises across seeds with paired tests when each arm has several runs', () => {
    const input = smallReport();
    const runs = input.tasks[0].runs;
    const shifted = (scores: number[], d: number) => scores.map((s) => Math.min(1, s + d));
    input.tasks[0].runs = [
      ...runs,
      { id: 'base-2', label: 'baseline', seed: 2, config: {}, test: records(shifted(baselineScores, 0.05)) },
      { id: 'aug-2', label: 'augmented', seed: 2, config: {}, test: records(shifted(augmentedScores, -0.02)) },
    ];
    const [task] = buildReportModel(parseReport(input as ReportInput)).tasks;
    expect(task.pairs.map((p) => p.seed)).toEqual([1, 2]);
    const rows = seedRows(task);
    const sens = rows.find((r) => r.metric === 'sensitivity')!;
    // base-2 at 0.5: positives 0.95, 0.85, 0.45, 0.65 → 0.75 again; aug-2: 0.88, 0.83, 0.68, 0.53 → 1.
    expect(sens.baseline.mean).toBe(0.75);
    expect(sens.augmented.mean).toBe(1);
    expect(sens.difference!.sd).toBe(0);
    expect(sens.pairedT!.p).toBeNull(); // zero variance of the differences: t undefined
    expect(sens.pairedT!.test).toBe(PAIRED_T_TEST);
    expect(sens.wilcoxon!.test).toBe(WILCOXON_EXACT_TEST);
  });

  it('handles a report with a single class in the test labels (AUROC undefined, no NaN)', () => {
    const input = smallReport();
    input.tasks[0].runs = input.tasks[0].runs.map((r) => ({ ...r, test: r.test.filter((x) => x.label === 0) }));
    const [task] = buildReportModel(parseReport(input)).tasks;
    expect(task.runs[0].metrics.auroc).toBeNull();
    expect(task.runs[0].roc).toBeNull();
    expect(task.pairs[0].delong).toBeNull();
  });
});

describe('bootstrap of a report', () => {
  it('gives each run exactly what bootstrapMetrics gives, and each pair what pairedBootstrap gives', async () => {
    const m = model();
    const stats = await runBootstrapPlan(planBootstrap(m));
    const labels = [1, 1, 1, 1, 0, 0, 0, 0];
    const opts = { seed: 7, resamples: 200 };
    const base = bootstrapMetrics(labels, baselineScores, 0.5, opts);
    const aug = bootstrapMetrics(labels, augmentedScores, 0.5, opts);
    expect(stats.runs['base-1']).toEqual(base.metrics);
    expect(stats.runs['aug-1']).toEqual(aug.metrics);
    const paired = pairedBootstrap(labels, { scores: baselineScores, threshold: 0.5 }, { scores: augmentedScores, threshold: 0.5 }, opts);
    expect(stats.pairs['base-1|aug-1']).toEqual(paired.metrics);
  });

  it('does not depend on the chunk size and stops when asked between chunks', async () => {
    const plan = planBootstrap(model());
    const a = await runBootstrapPlan(plan, { chunkSize: () => 7 });
    const b = await runBootstrapPlan(plan, { chunkSize: () => 1000 });
    expect(a).toEqual(b);
    let calls = 0;
    const progress: number[] = [];
    await expect(
      runBootstrapPlan(plan, {
        chunkSize: () => 50,
        onProgress: (done) => progress.push(done),
        between: async () => {
          if (++calls === 3) throw Object.assign(new Error('cancelled by user'), { name: 'JobCancelledError' });
        },
      }),
    ).rejects.toThrow('cancelled');
    expect(progress).toEqual([50, 100]);
  });

  it('fills the comparison table with CIs and Holm-adjusted p-values that name their test', async () => {
    const m = model();
    const stats = await runBootstrapPlan(planBootstrap(m));
    const [task] = m.tasks;
    const table = comparisonTable(task, task.pairs[0], stats);
    const sens = table.rows.find((r) => r.metric === 'sensitivity')!;
    expect(sens.baseline.value).toBe(0.75);
    expect(sens.difference.value).toBe(0.25);
    expect(sens.baseline.percentile).not.toBeNull();
    expect(sens.p.test).toMatch(/paired stratified bootstrap/);
    for (const r of table.rows) if (r.p.p !== null) expect(r.p.holm!).toBeGreaterThanOrEqual(r.p.p);
    expect(table.mcnemar.test).toMatch(/McNemar/);
    expect(table.delong!.test).toMatch(/DeLong/);
    // Before the job finishes: estimates but no intervals.
    const before = comparisonTable(task, task.pairs[0], null).rows.find((r) => r.metric === 'sensitivity')!;
    expect(before.baseline).toEqual({ value: 0.75, percentile: null, bca: null });
    expect(before.p.p).toBeNull();
  });

  it('formats undefined numbers as n/a', () => {
    expect(fmt(null)).toBe('n/a');
    expect(fmt(Number.NaN)).toBe('n/a');
    expect(fmtSigned(-0.25)).toBe('−0.250');
    expect(fmtP(0.0004)).toBe('<0.001');
    expect(fmtP(null)).toBe('n/a');
  });
});
