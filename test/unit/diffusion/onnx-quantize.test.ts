// Weight-only int8 (QDQ) quantization on the tiny SD-1.x fixture: every component keeps
// its IO, the large Conv/MatMul/Gemm weights become int8 + per-channel scales, external
// weights are read and inlined, and img2img with the fixture's injected noise stays close
// to diffusers' fp32 output.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { quantizeWeightsInt8, OnnxQuantizeError } from '../../../src/ml/formats/onnx-quantize';
import { readOnnxModelInfo } from '../../../src/ml/diffusion/runtime/onnx-model-info';
import { loadOnnxImg2ImgPipeline } from '../../../src/ml/diffusion';
import { OnnxGraph, OnnxType } from '../../../src/ml/onnx-builder/onnx-graph';
import { TINY, TOKENIZER_DIR, maxAbsDiff, readJson, refF32, refU8 } from './fixtures';
import { externalizeInitializers } from './onnx-test-models';
import { ort } from './ort-node';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ref = readJson<any>(resolve(TINY, 'img2img/reference.json'));
const COMPONENTS = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'] as const;
const bytesOf = (c: string) => new Uint8Array(readFileSync(resolve(TINY, c, 'model.onnx')));

async function readPipelineText(path: string): Promise<string | undefined> {
  const redirected = path.startsWith('tokenizer/') && !path.endsWith('config.json') ? resolve(TOKENIZER_DIR, path.slice(10)) : resolve(TINY, path);
  return existsSync(redirected) ? readFileSync(redirected, 'utf8') : undefined;
}

describe('weight-only int8 quantization (QDQ)', () => {
  it('quantizes each tiny component: same inputs and outputs, DequantizeLinear added, weights ~4x smaller', async () => {
    for (const c of COMPONENTS) {
      const before = bytesOf(c);
      const { model, tensors, floatBytes, quantizedBytes } = await quantizeWeightsInt8(before, { minElements: 256 });
      const a = readOnnxModelInfo(before);
      const b = readOnnxModelInfo(model);
      expect(b.inputs, c).toEqual(a.inputs);
      expect(b.outputs, c).toEqual(a.outputs);
      expect(tensors.length, c).toBeGreaterThan(0);
      expect(b.opTypes, c).toContain('DequantizeLinear');
      expect(quantizedBytes / floatBytes, c).toBeLessThan(0.3);
      expect(model.length, c).toBeLessThan(before.length);
      for (const t of tensors) expect(t.maxRelError, `${c} ${t.name}`).toBeLessThanOrEqual(0.5 / 127 + 1e-6);
      expect(tensors.filter((t) => t.consumer === 'Conv').every((t) => t.axis === 0), c).toBe(true);
    }
  });

  it('reads external weights through the reader and inlines the rest: one self-contained model', async () => {
    const { model, data } = externalizeInitializers(bytesOf('unet'), 'weights.pb');
    expect(readOnnxModelInfo(model).externalDataFiles).toEqual(['weights.pb']);
    await expect(quantizeWeightsInt8(model)).rejects.toThrow(OnnxQuantizeError);
    const reads: number[] = [];
    const { model: q } = await quantizeWeightsInt8(model, {
      minElements: 256,
      readExternal: async (location, offset, length) => {
        expect(location).toBe('weights.pb');
        reads.push(length);
        return data.subarray(offset, offset + length);
      },
    });
    expect(reads.reduce((s, n) => s + n, 0)).toBe(data.length);
    expect(readOnnxModelInfo(q).externalDataFiles).toEqual([]);
    const direct = await quantizeWeightsInt8(bytesOf('unet'), { minElements: 256 });
    // same quantized graph, whether the weights came inline or from the external file
    const s1 = await ort.InferenceSession.create(q, { executionProviders: ['wasm'] });
    const s2 = await ort.InferenceSession.create(direct.model, { executionProviders: ['wasm'] });
    expect(s1.inputNames).toEqual(s2.inputNames);
    await s1.release();
    await s2.release();
  });

  it('img2img with every component quantized stays close to the fp32 diffusers reference', async () => {
    const quantized = Object.fromEntries(await Promise.all(COMPONENTS.map(async (c) => [c, (await quantizeWeightsInt8(bytesOf(c), { minElements: 256 })).model] as const)));
    const pipeline = await loadOnnxImg2ImgPipeline({
      ort,
      files: { readText: readPipelineText },
      createSession: (c) => ort.InferenceSession.create(quantized[c], { executionProviders: ['wasm'] }),
    });
    try {
      const result = await pipeline.run({
        image: { data: refU8('img2img/init_image_u8_hwc'), width: ref.image_size_hw[1], height: ref.image_size_hw[0], channels: 3 },
        prompt: ref.prompt,
        negativePrompt: ref.negative_prompt,
        strength: ref.strength,
        numInferenceSteps: ref.num_inference_steps,
        guidanceScale: ref.guidance_scale,
        eta: ref.eta,
        noise: { vaePosterior: refF32('img2img/noise_vae_posterior'), addNoise: refF32('img2img/noise_add') },
      });
      const diff = maxAbsDiff(result.image, refF32('img2img/image_nhwc'));
      console.info('int8 img2img: max |Δ| of the [0, 1] image vs fp32 reference', diff);
      expect(diff).toBeGreaterThan(0); // it did change the weights
      expect(diff).toBeLessThan(0.05);
    } finally {
      await pipeline.dispose();
    }
  });

  it('refuses models it cannot quantize with a reason', async () => {
    const g = new OnnxGraph('old');
    const x = g.input('x', OnnxType.float, [1]);
    g.node('Relu', [x], {}, 'y');
    g.output('y', OnnxType.float, [1]);
    await expect(quantizeWeightsInt8(g.toModel(9))).rejects.toThrow(/opset 9 has no DequantizeLinear/);
    await expect(quantizeWeightsInt8(new Uint8Array([8, 1]))).rejects.toThrow(/no graph/);
  });
});
