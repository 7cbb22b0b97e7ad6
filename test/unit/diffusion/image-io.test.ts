import { describe, expect, it } from 'vitest';
import { centerCropBox, imageToVaeInput, rgbToGray, vaeOutputToImage } from '../../../src/ml/diffusion/pipeline/image-io';
import { pipelineConfigFromDiffusers } from '../../../src/ml/diffusion/pipeline/pipeline-config';

describe('init image preprocessing', () => {
  it('same size: exact x/255·2−1, planar RGB', () => {
    const data = Uint8Array.from([0, 128, 255, 10, 20, 30]); // 2×1 RGB
    const out = imageToVaeInput({ data, width: 2, height: 1, channels: 3 }, 2, 1);
    const f = (u: number) => Math.fround(Math.fround(u / 255) * 2 - 1);
    expect(Array.from(out)).toEqual([0, 10, 128, 20, 255, 30].map(f));
  });

  it('gray is replicated to three channels', () => {
    const out = imageToVaeInput({ data: Uint8Array.from([255, 0, 0, 255]), width: 2, height: 2, channels: 1 }, 2, 2);
    expect(Array.from(out.subarray(0, 4))).toEqual(Array.from(out.subarray(4, 8)));
    expect(Array.from(out.subarray(0, 4))).toEqual([1, -1, -1, 1]);
  });

  it('downscaling filters (no aliasing of a 1-pixel stripe pattern); a constant image stays constant', () => {
    // Columns alternate 0/255: point sampling would give all-0 or all-255; a filter gives ≈ ½.
    const stripes = new Uint8Array(16 * 16).map((_, i) => (i % 2 ? 255 : 0));
    const out = imageToVaeInput({ data: stripes, width: 16, height: 16, channels: 1 }, 8, 8);
    for (const v of out) expect(Math.abs((v + 1) / 2 - 0.5)).toBeLessThan(0.1);
    const flat = imageToVaeInput({ data: new Uint8Array(30 * 20).fill(77), width: 30, height: 20, channels: 1 }, 16, 16);
    for (const v of flat) expect(v).toBeCloseTo((77 / 255) * 2 - 1, 5);
  });

  it('centre crop keeps the target aspect ratio', () => {
    expect(centerCropBox(80, 100, 64, 64)).toEqual({ x: 0, y: 10, w: 80, h: 80 });
    expect(centerCropBox(300, 100, 64, 64)).toEqual({ x: 100, y: 0, w: 100, h: 100 });
  });
});

describe('output and config', () => {
  it('maps [-1, 1] to [0, 1] and bytes with numpy rounding', () => {
    const { rgb, float } = vaeOutputToImage(Float32Array.from([-2, 0, 1]), 1, 1);
    expect(Array.from(float)).toEqual([0, 0.5, 1]);
    expect(Array.from(rgb)).toEqual([0, 128, 255]); // 127.5 → 128 (half to even)
    expect(Array.from(rgbToGray(rgb, 1, 1))).toEqual([Math.round(128 * 0.587 + 255 * 0.114)]);
  });

  it('derives the VAE scale factor and size multiple from block_out_channels', () => {
    const sd = pipelineConfigFromDiffusers(
      { block_out_channels: [128, 256, 512, 512], scaling_factor: 0.18215 },
      { block_out_channels: [320, 640, 1280, 1280], sample_size: 64 },
    );
    expect(sd).toMatchObject({ vaeScaleFactor: 8, sizeMultiple: 64, defaultHeight: 512, defaultWidth: 512 });
  });
});
