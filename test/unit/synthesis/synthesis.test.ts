import { describe, expect, it } from 'vitest';
import { canonicalImageId } from '../../../src/core/dataset/image-id';
import { qualityReport, rowsOf } from '../../../src/ml/diffusion/synthesis/quality-report';
import { defaultPrompt, schedulerOverride, synthesisSettingsProblems, DEFAULT_SYNTHESIS } from '../../../src/ml/diffusion/synthesis/defaults';
import { canonicalSynthetic } from '../../../src/ml/diffusion/synthesis/output';

const features = { weightsHash: 'h', inputSize: 299, backend: 'cpu' };

describe('qualityReport', () => {
  it('measures against the positive rows only and maps memorisation to real image ids', () => {
    const d = 2;
    // real: two positives far from the synthetic set, two normals; synthetic[1] equals normal row 3
    const realTrain = Float32Array.from([10, 10, 11, 12, 0, 0, 5, 5]);
    const synthetic = Float32Array.from([9, 9, 5, 5, 12, 11]);
    const q = qualityReport({ d, synthetic, syntheticIds: ['s0', 's1', 's2'], realTrain, realTrainIds: ['p0', 'p1', 'n0', 'n1'], realPositiveRows: [0, 1], set: 'all', features, kidSubsets: 5 });
    expect(q.realPositiveCount).toBe(2);
    expect(q.realTrainCount).toBe(4);
    expect(q.memorisation.perImage.map((p) => p.nearestRealId)).toEqual(['p0', 'n1', 'p1']);
    expect(q.memorisation.perImage[1]).toMatchObject({ syntheticId: 's1', distance: 0, nearCopy: true });
    // mean term of FID: ‖μ_syn − μ_pos‖² with μ_syn = (26/3, 25/3), μ_pos = (10.5, 11)
    expect(q.fid.meanTerm).toBeCloseTo((26 / 3 - 10.5) ** 2 + (25 / 3 - 11) ** 2, 10);
    expect(q.diversity.realPositive).toBeCloseTo(Math.hypot(1, 2), 6);
  });

  it('refuses sets too small for covariance', () => {
    const one = Float32Array.from([1, 2]);
    expect(() => qualityReport({ d: 2, synthetic: one, syntheticIds: ['s'], realTrain: Float32Array.from([1, 2, 3, 4]), realTrainIds: ['a', 'b'], realPositiveRows: [0, 1], set: 'all', features })).toThrow(/at least 2 synthetic/);
  });

  it('rowsOf copies the named rows', () => {
    expect(Array.from(rowsOf(Float32Array.from([0, 1, 2, 3, 4, 5]), 2, [2, 0]))).toEqual([4, 5, 0, 1]);
  });
});

describe('synthesis settings', () => {
  it('defaults are valid and the prompt names the finding', () => {
    expect(defaultPrompt('pleuro-pneumonia')).toBe('a pediatric chest x-ray showing pleuro pneumonia');
    expect(synthesisSettingsProblems({ ...DEFAULT_SYNTHESIS, prompt: 'x' })).toEqual([]);
  });
  it('rejects settings that denoise nothing or are out of range', () => {
    const p = synthesisSettingsProblems({ ...DEFAULT_SYNTHESIS, steps: 3, strength: 0.2, scheduler: 'heun', prompt: ' ' });
    expect(p.join('\n')).toMatch(/steps × strength/);
    expect(p.join('\n')).toMatch(/unknown scheduler/);
    expect(p.join('\n')).toMatch(/prompt is empty/);
  });

  it('takes an optional size: a multiple of 8 up to 2048 px', () => {
    const ok = { ...DEFAULT_SYNTHESIS, prompt: 'x' };
    expect(synthesisSettingsProblems({ ...ok, size: 512 })).toEqual([]);
    expect(synthesisSettingsProblems(ok)).toEqual([]);
    for (const size of [500, 0, 4096, 7.5]) expect(synthesisSettingsProblems({ ...ok, size })).toEqual(['the size must be a multiple of 8 in 8..2048 px']);
  });

  it("accepts 'model' (the scheduler class the model's config names) and maps it to no override", () => {
    expect(synthesisSettingsProblems({ ...DEFAULT_SYNTHESIS, scheduler: 'model', prompt: 'x' })).toEqual([]);
    expect(schedulerOverride('model')).toBeUndefined();
    expect(schedulerOverride('lcm')).toBe('lcm');
  });
});

describe('canonicalSynthetic', () => {
  it('resizes the model output to the source crop, canonicalises it and addresses it by SHA-256', async () => {
    const out = { width: 64, height: 64, pixels: Uint8Array.from({ length: 64 * 64 }, (_, i) => (i * 7) % 256) };
    const { canonical, thumb } = await canonicalSynthetic(out, { width: 128, height: 96 }, 512);
    expect([canonical.width, canonical.height]).toEqual([96, 96]); // centred square crop of 128×96
    // the id of a synthetic image is computed exactly as for imported ones
    expect(canonical.id).toBe(await canonicalImageId(96, 96, canonical.pixels));
    expect(Math.max(thumb.width, thumb.height)).toBe(64);
    const capped = await canonicalSynthetic(out, { width: 1024, height: 1024 }, 256);
    expect([capped.canonical.width, capped.canonical.height]).toEqual([256, 256]);
  });
});
