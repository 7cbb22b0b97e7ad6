// The pre-session ONNX scan (runtime/onnx-model-info.ts) on the fixture exports, on a
// copy of the UNet with its weights moved to external data (checked by running both in
// ORT), on a float16 graph, and on files that are not ONNX.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OnnxFormatError, readOnnxModelInfo } from '../../../src/ml/diffusion/runtime/onnx-model-info';
import { TINY } from './fixtures';
import { externalizeInitializers, float16UnetLikeModel } from './onnx-test-models';
import { ort } from './ort-node';

const modelBytes = (component: string) => new Uint8Array(readFileSync(resolve(TINY, component, 'model.onnx')));

describe('readOnnxModelInfo', () => {
  it('reads the declared IO of the fixture components', () => {
    const unet = readOnnxModelInfo(modelBytes('unet'));
    expect(unet.opsetVersion).toBe(17);
    expect(unet.inputs).toEqual([
      { name: 'sample', elemType: 'float32', dims: ['batch', 4, 'height', 'width'] },
      { name: 'timestep', elemType: 'float32', dims: ['batch'] },
      { name: 'encoder_hidden_states', elemType: 'float32', dims: ['batch', 'sequence', 32] },
    ]);
    expect(unet.outputs.map((o) => o.name)).toEqual(['out_sample']);
    expect(unet.initializerTypes).toEqual({ float32: 304 });
    expect(unet.externalDataFiles).toEqual([]);
    expect(unet.usesFloat16).toBe(false);
    expect(unet.opTypes).toContain('InstanceNormalization');
    const te = readOnnxModelInfo(modelBytes('text_encoder'));
    expect(te.inputs).toEqual([{ name: 'input_ids', elemType: 'int64', dims: ['batch', 77] }]);
    expect(readOnnxModelInfo(modelBytes('vae_encoder')).outputs.map((o) => o.name)).toEqual(['latent_mean', 'latent_logvar']);
  });

  it('finds external-data locations, and the externalized model runs like the original', async () => {
    const original = modelBytes('unet');
    const { model, data } = externalizeInitializers(original, 'model.onnx_data');
    // Constant nodes keep their values inline; initializers (most of the weights) move out.
    expect(model.length).toBeLessThan(original.length / 2);
    const info = readOnnxModelInfo(model);
    expect(info.externalDataFiles).toEqual(['model.onnx_data']);
    expect(info.inputs).toEqual(readOnnxModelInfo(original).inputs);

    const feeds = () => ({
      sample: new ort.Tensor('float32', Float32Array.from({ length: 2 * 4 * 8 * 8 }, (_, i) => Math.sin(i)), [2, 4, 8, 8]),
      timestep: new ort.Tensor('float32', Float32Array.from([501, 1]), [2]),
      encoder_hidden_states: new ort.Tensor('float32', Float32Array.from({ length: 2 * 77 * 32 }, (_, i) => Math.cos(i * 0.1)), [2, 77, 32]),
    });
    const a = await ort.InferenceSession.create(original, { executionProviders: ['wasm'] });
    const b = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], externalData: [{ path: 'model.onnx_data', data }] });
    try {
      const ya = (await a.run(feeds())).out_sample.data as Float32Array;
      const yb = (await b.run(feeds())).out_sample.data as Float32Array;
      expect(Array.from(yb)).toEqual(Array.from(ya));
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('flags float16 graphs', () => {
    const info = readOnnxModelInfo(float16UnetLikeModel());
    expect(info.usesFloat16).toBe(true);
    expect(info.inputs).toEqual([{ name: 'sample', elemType: 'float16', dims: [1, 4, 8, 8] }]);
    expect(info.initializerTypes).toEqual({ float16: 1 });
  });

  it('rejects files that are not ONNX', () => {
    expect(() => readOnnxModelInfo(new Uint8Array(readFileSync(resolve(TINY, 'img2img/init_image.png'))))).toThrow(OnnxFormatError);
    expect(() => readOnnxModelInfo(new TextEncoder().encode('{"_class_name": "UNet2DConditionModel"}'))).toThrow(OnnxFormatError);
    expect(() => readOnnxModelInfo(new Uint8Array(0))).toThrow(/no graph/);
    // a truncated model: the graph's length runs past the end
    expect(() => readOnnxModelInfo(modelBytes('vae_decoder').subarray(0, 5000))).toThrow(OnnxFormatError);
  });
});
