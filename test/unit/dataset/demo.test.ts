import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../src/core/demo/chest-phantom';
import { generateDemoDataset, demoPositiveCount } from '../../../src/core/demo/demo-dataset';

/** Mean over the central part of both lung fields (where opacities are placed). */
function lungMean(p: Uint8Array, size: number): number {
  let s = 0, n = 0;
  for (let y = Math.floor(size * 0.3); y < size * 0.7; y++) {
    for (const [x0, x1] of [[0.22, 0.4], [0.62, 0.78]]) {
      for (let x = Math.floor(size * x0); x < size * x1; x++) {
        s += p[y * size + x];
        n++;
      }
    }
  }
  return s / n;
}

describe('demo phantom', () => {
  it('is deterministic for a seed and varies across seeds', () => {
    const a = generatePhantom({ size: 128, seed: 5, positive: false });
    expect(generatePhantom({ size: 128, seed: 5, positive: false }).pixels).toEqual(a.pixels);
    expect(generatePhantom({ size: 128, seed: 6, positive: false }).pixels).not.toEqual(a.pixels);
  });

  it('looks like a chest: lungs darker than mediastinum and abdomen', () => {
    const { pixels, width: s } = generatePhantom({ size: 256, seed: 1, positive: false });
    const at = (u: number, v: number) => pixels[Math.floor(v * s) * s + Math.floor(u * s)];
    expect(lungMean(pixels, s)).toBeLessThan(at(0.5, 0.4) - 40);
    expect(lungMean(pixels, s)).toBeLessThan(at(0.3, 0.92) - 40);
  });

  it('positives are brighter in the lung fields, growing with extent and contrast', () => {
    let diff = 0, stronger = 0;
    for (let seed = 0; seed < 20; seed++) {
      const normal = lungMean(generatePhantom({ size: 128, seed, positive: false }).pixels, 128);
      diff += lungMean(generatePhantom({ size: 128, seed, positive: true }).pixels, 128) - normal;
      stronger += lungMean(generatePhantom({ size: 128, seed, positive: true, opacityExtent: 0.9, opacityContrast: 1 }).pixels, 128) - normal;
    }
    expect(diff / 20).toBeGreaterThan(3);
    expect(stronger).toBeGreaterThan(diff * 1.5);
  });

  it('makes a labelled demo dataset with the class ratio and synthetic patients, fast', async () => {
    const t0 = performance.now();
    const items = [];
    for await (const d of generateDemoDataset({ count: 200, classRatio: 0.25, seed: 3, imagesPerPatient: 2 })) items.push(d);
    const seconds = (performance.now() - t0) / 1000;
    expect(items).toHaveLength(200);
    expect(items.filter((d) => d.record.labels[0] === 'pneumonia')).toHaveLength(demoPositiveCount(200, 0.25));
    expect(demoPositiveCount(200, 0.25)).toBe(40);
    expect(new Set(items.map((d) => d.record.patientGroup)).size).toBe(100);
    expect(items.every((d) => d.record.origin === 'synthetic-demo' && d.record.provenance?.generator === 'demo-phantom@1')).toBe(true);
    expect(new Set(items.map((d) => d.record.id)).size).toBe(200);
    expect(seconds).toBeLessThan(15); // generous for loaded CI machines; ~2-3 s when idle
  });
});
