import { describe, expect, it } from 'vitest';
import {
  betaQuantile,
  binomialCdf,
  erfc,
  logGamma,
  normalCdf,
  normalQuantile,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTTwoSidedP,
} from '../../../src/core/stats';

describe('special functions', () => {
  it('log-gamma of integers is log((n−1)!) and Γ(½) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(20)).toBeCloseTo(Math.log(121645100408832000), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
  });
  it('incomplete beta has closed forms I_x(a,1) = xᵃ and I_x(1,b) = 1 − (1−x)ᵇ', () => {
    for (const x of [0.01, 0.3, 0.5, 0.77, 0.999]) {
      expect(regularizedIncompleteBeta(x, 3.5, 1)).toBeCloseTo(Math.pow(x, 3.5), 13);
      expect(regularizedIncompleteBeta(x, 1, 12)).toBeCloseTo(1 - Math.pow(1 - x, 12), 13);
    }
  });
  it('erfc matches tabulated values', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 14);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 14);
    expect(erfc(3)).toBeCloseTo(2.209049699858544e-5, 18);
  });
});

describe('normal distribution', () => {
  it('Φ and Φ⁻¹ at textbook points', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.6448536269514729, 13);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });
  it('Φ⁻¹ inverts Φ', () => {
    for (const p of [1e-8, 0.001, 0.2, 0.6, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 14);
  });
});

describe('Student t distribution', () => {
  it('reproduces two-sided 5% critical values from t tables', () => {
    // t_{0.975, df}: 12.706 (1), 2.776 (4), 2.228 (10), 2.042 (30); tables round to 3 decimals.
    for (const [t, df] of [[12.706, 1], [2.776, 4], [2.228, 10], [2.042, 30]]) {
      expect(studentTCdf(t, df)).toBeCloseTo(0.975, 4);
      expect(studentTTwoSidedP(t, df)).toBeCloseTo(0.05, 4);
    }
    expect(studentTCdf(1.812, 10)).toBeCloseTo(0.95, 4);
  });
  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    for (const t of [-5, -0.7, 0, 0.3, 2.5, 40]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
    }
  });
});

describe('beta and binomial', () => {
  it('beta quantile: Beta(a,1) quantile is p^{1/a}; Beta(1,1) is uniform', () => {
    expect(betaQuantile(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(betaQuantile(0.025, 4, 1)).toBeCloseTo(Math.pow(0.025, 0.25), 13);
  });
  it('binomial CDF equals the summed pmf', () => {
    expect(binomialCdf(1, 7, 0.5)).toBeCloseTo(8 / 128, 14);
    expect(binomialCdf(2, 12, 0.5)).toBeCloseTo(79 / 4096, 14);
    expect(binomialCdf(3, 3, 0.2)).toBe(1);
    // P(X ≤ 1), X ~ Bin(5, 0.3) = 0.7⁵ + 5·0.3·0.7⁴
    expect(binomialCdf(1, 5, 0.3)).toBeCloseTo(0.16807 + 0.36015, 13);
  });
});
