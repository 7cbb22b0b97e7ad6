// A substitute VAE (TAESD and the like): its image range is measured by a round trip, its
// scaling factor read from its config, and one that does not fit the pipeline is refused.
// Then img2img runs through it on the tiny pipeline.
import { describe, expect, it } from 'vitest';
import type { VaeDecoderModel, VaeEncoderModel } from '../../../src/ml/diffusion/components';
import { loadOnnxImg2ImgPipeline, OnnxVaeDecoder, OnnxVaeEncoder } from '../../../src/ml/diffusion';
import type { PipelineConfig } from '../../../src/ml/diffusion/pipeline/pipeline-config';
import { fitSubstituteVae, measureImageRange, substituteScaling, VaeSubstituteError } from '../../../src/ml/diffusion/pipeline/vae-substitute';
import { refU8 } from './fixtures';
import { testVaePair } from './onnx-test-models';
import { ort, tinySession } from './ort-node';
import { TINY_IMG2IMG_REF, readTinyPipelineText, referenceGenerationParams } from './tiny-reference';

const CONFIG: PipelineConfig = { vaeScaleFactor: 2, scalingFactor: 0.18215, shiftFactor: 0, latentChannels: 4, sizeMultiple: 4, defaultWidth: 64, defaultHeight: 64 };

async function vaeModels(unitRange: boolean): Promise<{ encoder: VaeEncoderModel; decoder: VaeDecoderModel }> {
  const { encoder, decoder } = testVaePair(unitRange);
  const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  return { encoder: new OnnxVaeEncoder(ort, await session(encoder), 4), decoder: new OnnxVaeDecoder(ort, await session(decoder)) };
}

describe('substitute VAE conventions', () => {
  it('a VAE that takes [−1, 1] images is used as is; one trained on [0, 1] is recognised and adapted', async () => {
    const signed = await vaeModels(false);
    const r1 = await measureImageRange(signed.encoder, signed.decoder, CONFIG);
    expect(r1.range).toBe('signed');
    expect(r1.errors.signed).toBeLessThan(0.05);
    const unit = await vaeModels(true);
    const r2 = await measureImageRange(unit.encoder, unit.decoder, CONFIG);
    expect(r2.range).toBe('unit');
    // fed [−1, 1], the ReLU model loses the negative half: the signed round trip fails
    expect(r2.errors.signed).toBeGreaterThan(0.1);
    expect(r2.errors.unit).toBeLessThan(0.05);
  });

  it('refuses a VAE that does not reconstruct, or whose latents do not fit the UNet', async () => {
    const { encoder } = await vaeModels(false);
    const grey: VaeDecoderModel = { decode: async (z) => ({ data: new Float32Array(3 * 4 * z.data.length / 4).fill(0.5), shape: [1, 3, z.shape[2] * 2, z.shape[3] * 2] }), dispose: async () => undefined };
    await expect(measureImageRange(encoder, grey, CONFIG)).rejects.toThrow(/does not reconstruct a test image/);
    await expect(measureImageRange(encoder, grey, { ...CONFIG, latentChannels: 16 })).rejects.toThrow(/4-channel latents; this pipeline's UNet takes 16/);
    await expect(measureImageRange(encoder, grey, { ...CONFIG, vaeScaleFactor: 8, sizeMultiple: 8 })).rejects.toThrow(VaeSubstituteError);
  });

  it('scaling factor: from config.json; AutoencoderTiny (TAESD) or no config means 1', () => {
    expect(substituteScaling(undefined).scalingFactor).toBe(1);
    expect(substituteScaling({ _class_name: 'AutoencoderTiny', scaling_factor: 1.0 }).scalingFactor).toBe(1);
    expect(substituteScaling({ _class_name: 'AutoencoderKL', scaling_factor: 0.18215 }).scalingFactor).toBe(0.18215);
    expect(substituteScaling({ _class_name: 'AutoencoderKL' }).scalingFactor).toBe(0.18215);
  });

  it('img2img runs through a [0, 1] substitute with its scaling factor, and the image follows the source', async () => {
    const { encoder, decoder } = testVaePair(true);
    const base = await loadOnnxImg2ImgPipeline({
      ort,
      files: { readText: readTinyPipelineText },
      createSession: (c) =>
        c === 'vae_encoder' || c === 'vae_decoder'
          ? ort.InferenceSession.create(c === 'vae_encoder' ? encoder : decoder, { executionProviders: ['wasm'] })
          : tinySession(c),
    });
    const fitted = await fitSubstituteVae(base, undefined, 'test VAE');
    try {
      expect(fitted.vae).toEqual({ source: 'test VAE', imageRange: 'unit', scalingFactor: 1 });
      expect(fitted.pipeline.components.config.scalingFactor).toBe(1);
      expect(fitted.notes[0]).toMatch(/^VAE from test VAE: VAE has no config.json: assumed TAESD .* images in \[0, 1\]/);
      const ref = TINY_IMG2IMG_REF;
      const image = { data: refU8('img2img/init_image_u8_hwc'), width: ref.image_size_hw[1], height: ref.image_size_hw[0], channels: 3 as const };
      // one step at the last timestep barely changes the latents: the output is about the VAE round trip of the source
      const out = await fitted.pipeline.run({ ...referenceGenerationParams(), image, strength: 0.1, numInferenceSteps: 10, seed: 1 });
      let err = 0;
      for (let i = 0; i < out.rgb.length; i++) err += Math.abs(out.rgb[i] - image.data[i]);
      expect(err / out.rgb.length).toBeLessThan(20);
    } finally {
      await fitted.pipeline.dispose();
    }
  });
});
