import { describe, expect, it } from 'vitest';
import { auroc, averagePrecision, precisionRecallCurve, rocCurve } from '../../../src/core/metrics';

const y = [0, 0, 1, 1];
const s = [0.1, 0.4, 0.35, 0.8];

describe('AUROC (sklearn roc_auc_score)', () => {
  it('docs example gives 0.75', () => {
    expect(auroc(y, s)).toBeCloseTo(0.75, 12);
  });
  it('counts tied positive–negative pairs as ½', () => {
    expect(auroc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    // Pairs: (0.5⁺,0.1⁻)=1, (0.5⁺,0.5⁻)=½, (0.9⁺,·)=1+1 → 3.5/4
    expect(auroc([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9])).toBeCloseTo(0.875, 12);
  });
  it('equals the trapezoidal area under the ROC points', () => {
    const labels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0];
    const scores = [0.9, 0.9, 0.7, 0.6, 0.6, 0.6, 0.3, 0.2, 0.2, 0.1];
    const roc = rocCurve(labels, scores)!;
    let area = 0;
    for (let i = 1; i < roc.fpr.length; i++) area += ((roc.fpr[i] - roc.fpr[i - 1]) * (roc.tpr[i] + roc.tpr[i - 1])) / 2;
    // By hand: U = Σ over positives of negatives below + ½ tied:
    // 0.9: 4 + ½ ; 0.7: 4 ; 0.6: 2 + 1 (two tied) ; 0.3: 2 ; 0.2: 1 + ½ → 15 / 25
    expect(auroc(labels, scores)).toBeCloseTo(15 / 25, 12);
    expect(area).toBeCloseTo(15 / 25, 12);
  });
  it('is null with one class', () => {
    expect(auroc([1, 1], [0.2, 0.3])).toBeNull();
  });
});

describe('average precision (sklearn average_precision_score)', () => {
  it('docs example gives 0.8333…, the step-wise sum, not the trapezoid (0.7917)', () => {
    expect(averagePrecision(y, s)).toBeCloseTo(0.8333333333333334, 12);
  });
  it('handles tied scores as one threshold', () => {
    // 0.9 → P=1, ΔR=½ ; 0.5 (one positive, one negative) → P=2/3, ΔR=½
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9])).toBeCloseTo(0.5 + 1 / 3, 12);
  });
});

describe('curves', () => {
  it('roc_curve docs example (pos_label=2 recoded as 1)', () => {
    const roc = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])!;
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
  });
  it('precision_recall_curve docs example', () => {
    const pr = precisionRecallCurve(y, s)!;
    expect(pr.precision.map((p) => +p.toFixed(8))).toEqual([0.5, 0.66666667, 0.5, 1, 1]);
    expect(pr.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(pr.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
  });
  it('one ROC point per distinct score', () => {
    const roc = rocCurve([0, 1, 0, 1], [0.3, 0.3, 0.7, 0.7])!;
    expect(roc.thresholds).toEqual([Infinity, 0.7, 0.3]);
    expect(roc.fpr).toEqual([0, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 1]);
  });
  it('are null when undefined', () => {
    expect(rocCurve([0, 0], [0.1, 0.2])).toBeNull();
    expect(precisionRecallCurve([0, 0], [0.1, 0.2])).toBeNull();
  });
});
