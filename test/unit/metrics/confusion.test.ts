import { describe, expect, it } from 'vitest';
import { binaryMetrics, confusionCounts, metricsFromCounts } from '../../../src/core/metrics';

/** Labels/scores realising a confusion table: predicted positives score 0.9, negatives 0.1. */
function fromTable(tp: number, fp: number, tn: number, fn: number) {
  const labels: number[] = [], scores: number[] = [];
  const add = (count: number, label: number, score: number) => {
    for (let i = 0; i < count; i++) {
      labels.push(label);
      scores.push(score);
    }
  };
  add(tp, 1, 0.9);
  add(fp, 0, 0.9);
  add(tn, 0, 0.1);
  add(fn, 1, 0.1);
  return { labels, scores };
}

describe('confusion-table metrics', () => {
  it('match hand computation for tp=40 fp=10 tn=30 fn=20', () => {
    const { labels, scores } = fromTable(40, 10, 30, 20);
    const m = binaryMetrics(labels, scores, 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([40, 10, 30, 20]);
    expect(m.accuracy).toBeCloseTo(0.7, 12); // 70/100
    expect(m.sensitivity).toBeCloseTo(2 / 3, 12); // 40/60
    expect(m.specificity).toBeCloseTo(0.75, 12); // 30/40
    expect(m.precision).toBeCloseTo(0.8, 12); // 40/50
    expect(m.f1).toBeCloseTo(80 / 110, 12); // 2·40/(2·40+10+20)
    expect(m.balancedAccuracy).toBeCloseTo((2 / 3 + 0.75) / 2, 12);
    // (40·30 − 10·20)/√(50·60·40·50) = 1000/√6e6
    expect(m.mcc).toBeCloseTo(1000 / Math.sqrt(6e6), 12);
    // po = 0.7, pe = (50·60 + 50·40)/100² = 0.5 → κ = 0.2/0.5
    expect(m.kappa).toBeCloseTo(0.4, 12);
    expect(m.youden).toBeCloseTo(2 / 3 + 0.75 - 1, 12);
  });

  it('sklearn docs example at threshold 0.5 (y=[0,0,1,1], s=[0.1,0.4,0.35,0.8])', () => {
    const m = binaryMetrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([1, 0, 2, 1]);
    expect(m.precision).toBe(1);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    // (1·2 − 0)/√(1·2·2·3) = 2/√12; κ: po=0.75, pe=(1·2+3·2)/16=0.5 → 0.5
    expect(m.mcc).toBeCloseTo(2 / Math.sqrt(12), 12);
    expect(m.kappa).toBeCloseTo(0.5, 12);
    expect(m.auroc).toBeCloseTo(0.75, 12);
    expect(m.averagePrecision).toBeCloseTo(0.8333333333, 9);
  });

  it('all predicted negative: precision, F1, MCC and kappa are 0 (sklearn zero_division=0)', () => {
    const labels = [1, 0, 0, 1, 0, 0, 0, 0];
    const scores = [0.3, 0.1, 0.2, 0.4, 0.1, 0.05, 0.2, 0.3];
    const m = binaryMetrics(labels, scores, 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([0, 0, 6, 2]);
    expect(m.precision).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.mcc).toBe(0);
    expect(m.kappa).toBe(0);
    expect(m.sensitivity).toBe(0);
    expect(m.specificity).toBe(1);
    expect(m.youden).toBe(0);
    expect(m.balancedAccuracy).toBe(0.5);
    expect(m.accuracy).toBe(0.75);
    expect(m.sensitivityCI95![0]).toBe(0);
  });

  it('only positives: specificity, Youden and AUROC are null; AP is 1 as in sklearn', () => {
    const m = binaryMetrics([1, 1, 1], [0.9, 0.2, 0.6], 0.5);
    expect(m.specificity).toBeNull();
    expect(m.youden).toBeNull();
    expect(m.auroc).toBeNull();
    expect(m.specificityCI95).toBeNull();
    expect(m.averagePrecision).toBe(1);
    expect(m.sensitivity).toBeCloseTo(2 / 3, 12);
    // sklearn balanced_accuracy_score keeps the one defined recall.
    expect(m.balancedAccuracy).toBeCloseTo(2 / 3, 12);
  });

  it('only negatives: sensitivity, AP and AUROC are null; never NaN', () => {
    const m = binaryMetrics([0, 0, 0, 0], [0.9, 0.2, 0.6, 0.1], 0.5);
    expect(m.sensitivity).toBeNull();
    expect(m.auroc).toBeNull();
    expect(m.averagePrecision).toBeNull();
    expect(m.sensitivityCI95).toBeNull();
    expect(m.precision).toBe(0);
    expect(m.f1).toBe(0);
    for (const v of Object.values(m)) if (typeof v === 'number') expect(Number.isNaN(v)).toBe(false);
  });

  it('kappa is null when expected agreement is 1 (one class, all predicted that class)', () => {
    const m = metricsFromCounts({ tp: 5, fp: 0, tn: 0, fn: 0 });
    expect(m.kappa).toBeNull();
    expect(m.mcc).toBe(0);
    expect(m.precision).toBe(1);
  });

  it('a score equal to the threshold is a positive prediction (>=)', () => {
    expect(confusionCounts([1, 0, 1, 0], [0.5, 0.5, 0.49999, 0.2], 0.5)).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
  });

  it('rejects invalid input', () => {
    expect(() => binaryMetrics([0, 2], [0.1, 0.2], 0.5)).toThrow(/labels must be 0 or 1/);
    expect(() => binaryMetrics([0, 1], [0.1], 0.5)).toThrow(/differ in length/);
    expect(() => binaryMetrics([0, 1], [0.1, NaN], 0.5)).toThrow(/finite/);
    expect(() => binaryMetrics([], [], 0.5)).toThrow(/no images/);
  });
});
