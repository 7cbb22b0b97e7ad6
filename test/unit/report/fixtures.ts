// A small report whose numbers are worked out by hand in the tests.
//
// Test set: positives a1..a4, negatives n1..n4.
//   baseline  scores: a 0.9 0.8 0.4 0.6 | n 0.3 0.7 0.2 0.1
//   augmented scores: a 0.9 0.85 0.7 0.55 | n 0.3 0.6 0.2 0.1
// At the fixed threshold 0.5:
//   baseline  TP 3 (0.9, 0.8, 0.6), FN 1 (0.4), FP 1 (0.7), TN 3 → sensitivity = specificity = 0.75
//   augmented TP 4, FN 0, FP 1 (0.6), TN 3 → sensitivity 1, specificity 0.75
// AUROC by counting positive–negative pairs ranked correctly (of 16):
//   baseline 4 + 4 + 3 + 3 = 14 → 0.875; augmented 4 + 4 + 4 + 3 = 15 → 0.9375
import type { ReportInput } from '../../../src/core/report';

export const positives = ['a1', 'a2', 'a3', 'a4'];
export const negatives = ['n1', 'n2', 'n3', 'n4'];
export const baselineScores = [0.9, 0.8, 0.4, 0.6, 0.3, 0.7, 0.2, 0.1];
export const augmentedScores = [0.9, 0.85, 0.7, 0.55, 0.3, 0.6, 0.2, 0.1];

export function records(scores: number[], order = [0, 1, 2, 3, 4, 5, 6, 7]) {
  const ids = [...positives, ...negatives];
  return order.map((i) => ({ imageId: ids[i], label: (i < 4 ? 1 : 0) as 0 | 1, score: scores[i] }));
}

export function smallReport(): ReportInput {
  return {
    schemaVersion: 1,
    study: { title: 'Hand-checked report' },
    environment: { browser: 'test', gpuAdapter: null, backends: ['cpu'], appVersion: '0.0.0' },
    bootstrap: { resamples: 200, seed: 7, confidence: 0.95 },
    tasks: [
      {
        id: 'pneumonia',
        name: 'Pneumonia vs normal',
        positiveClass: 'pneumonia',
        negativeClass: 'normal',
        dataSummary: { splits: { train: { positive: 30, negative: 10 }, test: { positive: 4, negative: 4 } }, syntheticImagesAdded: 20 },
        thresholdPolicy: { policy: 'fixed', threshold: 0.5 },
        runs: [
          { id: 'base-1', label: 'baseline', seed: 1, config: { epochs: 3 }, test: records(baselineScores), trainingCurve: [{ epoch: 0, trainLoss: 0.7, valAuroc: null }, { epoch: 1, trainLoss: 0.5, valAuroc: 0.8 }] },
          // The augmented run lists its images in another order: pairing must go by imageId.
          { id: 'aug-1', label: 'augmented', seed: 1, config: { epochs: 3 }, test: records(augmentedScores, [7, 6, 5, 4, 3, 2, 1, 0]) },
        ],
      },
    ],
  };
}
