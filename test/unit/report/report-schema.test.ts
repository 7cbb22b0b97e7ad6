// Report JSON schema (src/core/report): validation, defaults, error paths, scores import.
import { describe, expect, it } from 'vitest';
import { imbalanceRatio, importReportJson, parseReport, reportFromScores, type ReportInput } from '../../../src/core/report';

function validReport(): ReportInput {
  const test = [
    { imageId: 'a', label: 1, score: 0.9 },
    { imageId: 'b', label: 0, score: 0.2 },
    { imageId: 'c', label: 1, score: 0.4 },
  ] as const;
  return {
    schemaVersion: 1,
    createdAt: '2025-01-01T00:00:00Z',
    study: { title: 'LDM augmentation', reference: 'doi:…' },
    environment: { browser: 'Chromium 140', gpuAdapter: 'swiftshader', backends: ['webgpu', 'wasm'], appVersion: '0.1.0', extra: 'kept' },
    tasks: [
      {
        id: 'pneumonia',
        name: 'Pneumonia vs normal',
        positiveClass: 'pneumonia',
        negativeClass: 'normal',
        dataSummary: { splits: { train: { positive: 30, negative: 10 }, test: { positive: 2, negative: 1 } }, syntheticImagesAdded: 20 },
        thresholdPolicy: { policy: 'youden-validation' },
        runs: ['baseline', 'augmented'].map((label, r) => ({
          id: `${label}-1`,
          label,
          seed: 1,
          config: { epochs: 10, learningRate: 1e-4 },
          trainingCurve: [{ epoch: 0, trainLoss: 0.7, valLoss: null }],
          test: test.map((t) => ({ ...t, score: t.score - r * 0.05 })),
          validation: [
            { imageId: 'v1', label: 1, score: 0.7 },
            { imageId: 'v2', label: 0, score: 0.3 },
          ],
          results: { auroc: 0.99 },
        })),
      },
    ],
  };
}

describe('report schema v1', () => {
  it('round-trips through JSON and fills defaults', () => {
    const parsed = parseReport(validReport());
    const again = parseReport(JSON.parse(JSON.stringify(parsed)));
    expect(again).toEqual(parsed);
    expect(parsed.bootstrap).toEqual({ resamples: 2000, seed: 0, confidence: 0.95 });
    expect(parsed.environment?.extra).toBe('kept');
    expect(parsed.tasks[0].runs[1].test[0].score).toBeCloseTo(0.85, 12);
    expect(parsed.tasks[0].runs[0].trainingCurve?.[0]).toEqual({ epoch: 0, trainLoss: 0.7, valLoss: null });
  });

  it('lists every problem by path in plain words', () => {
    const bad = validReport() as unknown as { tasks: { runs: { test: Record<string, unknown>[]; seed?: unknown }[] }[] };
    bad.tasks[0].runs[1].test[2].label = 2;
    bad.tasks[0].runs[0].test[0].score = 'high';
    delete bad.tasks[0].runs[1].seed;
    let message = '';
    try {
      parseReport(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/3 problems/);
    expect(message).toContain('tasks[0].runs[1].test[2].label: must be 0 or 1');
    expect(message).toContain('tasks[0].runs[0].test[0].score: must be a finite number');
    expect(message).toContain('tasks[0].runs[1].seed: is missing');
  });

  it('checks consistency across runs and the threshold policy', () => {
    const r = validReport() as unknown as { tasks: { runs: { id: string; test: { label: number; imageId: string }[]; validation?: unknown[] }[] }[] };
    r.tasks[0].runs[1].test[0].label = 0; // image 'a' labelled 1 in the baseline
    r.tasks[0].runs[1].id = 'baseline-1';
    r.tasks[0].runs[0].validation = undefined;
    r.tasks[0].runs[1].test[1].imageId = 'a';
    expect(() => parseReport(r)).toThrow(/image 'a' is labelled 0 here but 1 in run 'baseline-1'/);
    expect(() => parseReport(r)).toThrow(/run id 'baseline-1' is used twice/);
    expect(() => parseReport(r)).toThrow(/'youden-validation' threshold policy needs validation records with both classes/);
    expect(() => parseReport(r)).toThrow(/image 'a' appears twice in the test records/);
  });

  it('rejects other schema versions and non-objects clearly', () => {
    expect(() => parseReport({ ...validReport(), schemaVersion: 2 })).toThrow(/Unsupported report schemaVersion 2/);
    expect(() => parseReport([1, 2])).toThrow(/Not a report/);
  });

  it('computes the imbalance ratio as majority / minority', () => {
    expect(imbalanceRatio({ positive: 3875, negative: 1341 })).toBeCloseTo(3875 / 1341, 12);
    expect(imbalanceRatio({ positive: 0, negative: 5 })).toBeNull();
  });
});

describe('minimal import forms', () => {
  it('one run from records', () => {
    const r = reportFromScores([
      { label: 1, score: 0.8, id: 'x' },
      { label: 0, score: 0.3 },
    ]);
    const task = r.tasks[0];
    expect(task.runs).toHaveLength(1);
    expect(task.runs[0].test).toEqual([
      { imageId: 'x', label: 1, score: 0.8 },
      { imageId: 'image-2', label: 0, score: 0.3 },
    ]);
    expect(task.dataSummary.splits.test).toEqual({ positive: 1, negative: 1 });
    expect(task.thresholdPolicy).toEqual({ policy: 'fixed', threshold: 0.5 });
  });

  it('two runs from columns, booleans as labels', () => {
    const r = reportFromScores({ labels: [true, false, true], baseline: [0.6, 0.4, 0.3], augmented: [0.7, 0.2, 0.6] });
    expect(r.tasks[0].runs.map((run) => run.label)).toEqual(['baseline', 'augmented']);
    expect(r.tasks[0].runs[1].test.map((t) => t.label)).toEqual([1, 0, 1]);
    const rows = reportFromScores([{ label: 0, baseline: 0.1, augmented: 0.2, imageId: 7 }]);
    expect(rows.tasks[0].runs[1].test[0]).toEqual({ imageId: '7', label: 0, score: 0.2 });
  });

  it('explains what it expected when the input is neither', () => {
    expect(() => reportFromScores({ labels: [1, 0], scores: [0.2] })).toThrow(/scores has 1 values but labels has 2/);
    expect(() => reportFromScores([{ label: 3, score: 0.1 }])).toThrow(/\[0\]\.label: label must be 0, 1, false or true/);
    expect(() => reportFromScores('hello')).toThrow(/Expected a report \(with schemaVersion\)/);
  });

  it('importReportJson dispatches on schemaVersion', () => {
    expect(importReportJson(validReport()).study.title).toBe('LDM augmentation');
    expect(importReportJson({ labels: [0, 1], scores: [0.1, 0.9] }).tasks[0].runs[0].label).toBe('model');
  });
});
