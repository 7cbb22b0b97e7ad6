import { describe, expect, it } from 'vitest';
import { bcaInterval, jackknifeAcceleration, percentileInterval, quantileSorted } from '../../../src/core/stats';

const oneToThousand = Float64Array.from({ length: 1000 }, (_, i) => i + 1);

describe('interval helpers', () => {
  it('quantiles interpolate linearly like numpy.percentile', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([10, 20, 30], 0.25)).toBe(15);
    // h = 999·0.025 = 24.975 → 25 + 0.975
    const [lo, hi] = percentileInterval(oneToThousand, 0.95);
    expect(lo).toBeCloseTo(25.975, 12);
    expect(hi).toBeCloseTo(1 + 999 * 0.975, 12);
  });

  it('jackknife acceleration from its formula', () => {
    // θ̄ = 0.75, d = θ̄ − θᵢ = [¾, ¾, ¾, −9/4]: Σd² = 6.75, Σd³ = −10.125
    expect(jackknifeAcceleration([0, 0, 0, 3])).toBeCloseTo(-10.125 / (6 * Math.pow(6.75, 1.5)), 14);
    expect(jackknifeAcceleration([2, 2, 2])).toBe(0);
    expect(jackknifeAcceleration([1, NaN])).toBeNull();
  });

  it('BCa with a = 0 and z0 = Φ⁻¹(¼) shifts both quantile levels', () => {
    // 250 of 1000 replicates lie below 250.5 → z0 = Φ⁻¹(0.25); symmetric jackknife → a = 0.
    // Levels Φ(2z0 ∓ 1.96) = 0.000468244, 0.729395 (normal tables / scipy.stats.norm).
    const [lo, hi] = bcaInterval(oneToThousand, 250.5, [-1, 0, 1], 0.95)!;
    expect(lo).toBeCloseTo(1 + 999 * 0.00046824369288149694, 9);
    expect(hi).toBeCloseTo(1 + 999 * 0.7293950738761792, 9);
  });

  it('BCa equals the percentile interval when z0 = 0 and a = 0', () => {
    const bca = bcaInterval(oneToThousand, 500.5, [-2, 0, 2], 0.95)!;
    const pct = percentileInterval(oneToThousand, 0.95);
    expect(bca[0]).toBeCloseTo(pct[0], 9);
    expect(bca[1]).toBeCloseTo(pct[1], 9);
  });

  it('BCa is null when every replicate lies on one side of the estimate', () => {
    expect(bcaInterval(oneToThousand, 0, [-1, 0, 1], 0.95)).toBeNull();
  });
});
