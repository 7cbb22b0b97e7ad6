import { describe, expect, it } from 'vitest';
import { binaryMetrics, describeThreshold, fixedThreshold, resolveThreshold, targetSensitivityThreshold, youdenThreshold } from '../../../src/core/metrics';

// Validation set worked by hand, thresholds from high to low:
//  0.9: tp1 fp0 J=1/3 · 0.7: tp2 fp0 J=2/3 · 0.6: tp2 fp1 J=1/3
//  0.4: tp3 fp1 J=2/3 · 0.3: tp3 fp2 J=1/3 · 0.1: tp3 fp3 J=0
const labels = [0, 0, 0, 1, 1, 1];
const scores = [0.1, 0.3, 0.6, 0.4, 0.7, 0.9];

describe('threshold policies', () => {
  it('fixed defaults to 0.5', () => {
    expect(fixedThreshold()).toEqual({ policy: 'fixed', threshold: 0.5 });
  });

  it('Youden: maximum J, ties broken towards the higher threshold', () => {
    const d = youdenThreshold(labels, scores);
    expect(d.policy).toBe('youden-validation');
    expect(d.threshold).toBe(0.7);
    expect(d.validationYouden).toBeCloseTo(2 / 3, 12);
    expect(d.validationSensitivity).toBeCloseTo(2 / 3, 12);
    expect(d.validationSpecificity).toBe(1);
    // Applied with >= it reproduces the validation operating point.
    const m = binaryMetrics(labels, scores, d.threshold);
    expect(m.youden).toBeCloseTo(d.validationYouden, 12);
  });

  it('Youden does not depend on the order of the images', () => {
    const perm = [5, 2, 0, 4, 1, 3];
    expect(youdenThreshold(perm.map((i) => labels[i]), perm.map((i) => scores[i])).threshold).toBe(0.7);
  });

  it('target sensitivity: the highest threshold that reaches it', () => {
    expect(targetSensitivityThreshold(labels, scores, 1).threshold).toBe(0.4);
    expect(targetSensitivityThreshold(labels, scores, 1).validationSpecificity).toBeCloseTo(2 / 3, 12);
    expect(targetSensitivityThreshold(labels, scores, 0.5).threshold).toBe(0.7);
    expect(targetSensitivityThreshold(labels, scores, 0.3).threshold).toBe(0.9);
  });

  it('target 0.9 with 10 positives needs 9, not 10 (floating point)', () => {
    const y = [...Array(10).fill(1), 0];
    const s = [...Array.from({ length: 10 }, (_, i) => 1 - i / 20), 0.99];
    // Positives score 1, 0.95, …, 0.55; 9 of them are >= 0.6.
    expect(targetSensitivityThreshold(y, s, 0.9).threshold).toBeCloseTo(0.6, 12);
  });

  it('resolves policies, needs validation data for chosen thresholds, and describes them', () => {
    expect(resolveThreshold({ policy: 'fixed' })).toEqual({ policy: 'fixed', threshold: 0.5 });
    expect(() => resolveThreshold({ policy: 'youden-validation' })).toThrow(/validation/);
    const d = resolveThreshold({ policy: 'youden-validation' }, { labels, scores });
    expect(describeThreshold(d)).toBe('Youden-optimal on validation (n=6): 0.7000');
    expect(() => youdenThreshold([1, 1], [0.2, 0.4])).toThrow(/both classes/);
  });
});
