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

/** The fixture's img2img run (its injected noise) on the given component models: max |Δ| of the image vs diffusers' fp32 output. */
async function referenceRunDiff(models: Record<string, Uint8Array>): Promise<number> {
  const pipeline = await loadOnnxImg2ImgPipeline({
    ort,
    files: { readText: readPipelineText },
    createSession: (c) => ort.InferenceSession.create(models[c], { executionProviders: ['wasm'] }),
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
    return maxAbsDiff(result.image, refF32('img2img/image_nhwc'));
  } finally {
    await pipeline.dispose();
  }
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
    const diff = await referenceRunDiff(quantized);
    console.info('int8 img2img: max |Δ| of the [0, 1] image vs fp32 reference', diff);
    expect(diff).toBeGreaterThan(0); // it did change the weights
    expect(diff).toBeLessThan(0.05);
  });

  it('4-bit MatMul weights (MatMulNBits): smaller again, img2img still close to the fp32 reference', async () => {
    const results = await Promise.all(COMPONENTS.map(async (c) => [c, await quantizeWeightsInt8(bytesOf(c), { minElements: 256, matMul4Bit: true })] as const));
    const unet = results.find(([c]) => c === 'unet')![1];
    const four = unet.tensors.filter((t) => t.bits === 4);
    expect(four.length).toBeGreaterThan(0);
    for (const t of four) expect(t.maxRelError, t.name).toBeLessThanOrEqual(0.5 / 7 + 1e-6);
    expect(readOnnxModelInfo(unet.model).opTypes).toContain('com.microsoft.MatMulNBits');
    const int8Only = await quantizeWeightsInt8(bytesOf('unet'), { minElements: 256 });
    expect(unet.model.length).toBeLessThan(int8Only.model.length);
    const diff = await referenceRunDiff(Object.fromEntries(results.map(([c, r]) => [c, r.model])));
    console.info('int8 + 4-bit MatMul img2img: max |Δ| vs fp32 reference', diff);
    expect(diff).toBeLessThan(0.08);
  });

  it('MatMulNBits layout: ORT computes X · dequantized(W) exactly, also when K is not a multiple of the block', async () => {
    const [M, K, N] = [3, 40, 5];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const w = Float32Array.from({ length: K * N }, rand);
    const x = Float32Array.from({ length: M * K }, rand);
    const g = new OnnxGraph('mm');
    const xi = g.input('x', OnnxType.float, [M, K]);
    g.node('MatMul', [xi, g.tensor(w, [K, N], 'w')], {}, 'y');
    g.output('y', OnnxType.float, [M, N]);
    const { model, tensors } = await quantizeWeightsInt8(g.toModel(17), { minElements: 1, matMul4Bit: true });
    expect(tensors.map((t) => t.bits)).toEqual([4]);
    // the quantization this layout encodes, written out independently: blocks of 32 along K per column, s = max|w|/7
    const deq = new Float32Array(K * N);
    for (let n = 0; n < N; n++) {
      for (let b = 0; b * 32 < K; b++) {
        const rows = Array.from({ length: Math.min(32, K - b * 32) }, (_, i) => b * 32 + i);
        const s = Math.fround(Math.max(...rows.map((r) => Math.abs(w[r * N + n]))) / 7);
        for (const r of rows) deq[r * N + n] = Math.round(w[r * N + n] / s) * s;
      }
    }
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const y = (await session.run({ x: new ort.Tensor('float32', x, [M, K]) })).y.data as Float32Array;
    await session.release();
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let ref = 0;
        for (let k = 0; k < K; k++) ref += x[m * K + k] * deq[k * N + n];
        expect(y[m * N + n]).toBeCloseTo(ref, 4);
      }
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
