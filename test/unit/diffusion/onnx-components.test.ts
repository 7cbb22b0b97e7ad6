// ONNX wrappers on the tiny fixture models (wasm EP in Node) against the torch references.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OnnxInputError,
  OnnxTextEncoder,
  OnnxUnetDenoiser,
  OnnxVaeDecoder,
  OnnxVaeEncoder,
  type LatentShape,
} from '../../../src/ml/diffusion';
import type { OrtSession } from '../../../src/ml/diffusion/onnx/ort-types';
import { refF32, refI64AsNumbers, refShape, relErr } from './fixtures';
import { ort, tinySession } from './ort-node';

const FORWARD_TOL = 1e-4;
const sessions: Record<string, OrtSession> = {};

beforeAll(async () => {
  for (const c of ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder']) sessions[c] = await tinySession(c);
});
afterAll(async () => {
  for (const s of Object.values(sessions)) await s.release();
});

describe('OnnxTextEncoder', () => {
  it.each(['case0', 'case1'])('%s last_hidden_state', async (name) => {
    const ids = Int32Array.from(refI64AsNumbers(`text_encoder/${name}/input_ids`));
    const batch = refShape(`text_encoder/${name}/input_ids`)[0];
    const out = await new OnnxTextEncoder(ort, sessions.text_encoder).encode(ids, batch);
    expect(out.shape).toEqual(refShape(`text_encoder/${name}/last_hidden_state`));
    expect(relErr(out.data, refF32(`text_encoder/${name}/last_hidden_state`))).toBeLessThanOrEqual(FORWARD_TOL);
  });
});

describe('OnnxUnetDenoiser', () => {
  it('case0: each row (own timestep) as one call', async () => {
    // The denoiser contract is one timestep per call (what samplers do); check each row.
    const unet = new OnnxUnetDenoiser(ort, sessions.unet);
    const [b, c, h, w] = refShape('unet/case0/sample');
    const sample = refF32('unet/case0/sample');
    const ehs = refF32('unet/case0/encoder_hidden_states');
    const [, seq, dim] = refShape('unet/case0/encoder_hidden_states');
    const timesteps = refF32('unet/case0/timestep');
    const expected = refF32('unet/case0/out_sample');
    const per = c * h * w;
    for (let i = 0; i < b; i++) {
      const out = await unet.predictNoise(sample.slice(i * per, (i + 1) * per), [1, c, h, w], timesteps[i], {
        data: ehs.slice(i * seq * dim, (i + 1) * seq * dim),
        shape: [1, seq, dim],
      });
      expect(relErr(out, expected.slice(i * per, (i + 1) * per))).toBeLessThanOrEqual(FORWARD_TOL);
    }
  });

  it('case1: non-square latents, fractional timestep', async () => {
    const unet = new OnnxUnetDenoiser(ort, sessions.unet);
    const shape = refShape('unet/case1/sample') as unknown as LatentShape;
    const out = await unet.predictNoise(refF32('unet/case1/sample'), shape, refF32('unet/case1/timestep')[0], {
      data: refF32('unet/case1/encoder_hidden_states'),
      shape: refShape('unet/case1/encoder_hidden_states'),
    });
    expect(relErr(out, refF32('unet/case1/out_sample'))).toBeLessThanOrEqual(FORWARD_TOL);
  });

  it('fails clearly when given a session that is not a UNet', () => {
    expect(() => new OnnxUnetDenoiser(ort, sessions.vae_decoder)).toThrow(OnnxInputError);
    expect(() => new OnnxUnetDenoiser(ort, sessions.vae_decoder)).toThrow(/UNet model has no input 'sample'.*latent_sample/);
    expect(() => new OnnxTextEncoder(ort, sessions.unet)).toThrow(/text encoder model has no input 'input_ids'/);
  });

  it('rejects latents whose shape contradicts the declared dims', async () => {
    const unet = new OnnxUnetDenoiser(ort, sessions.unet);
    await expect(
      unet.predictNoise(new Float32Array(3 * 8 * 8), [1, 3, 8, 8], 10, { data: new Float32Array(77 * 32), shape: [1, 77, 32] }),
    ).rejects.toThrow(/'sample' is declared \[batch, 4, height, width\] but got \[1, 3, 8, 8\]/);
  });
});

describe('OnnxVaeEncoder', () => {
  it.each(['case0', 'case1'])('%s mean and logvar', async (name) => {
    const enc = new OnnxVaeEncoder(ort, sessions.vae_encoder);
    const out = await enc.encode({ data: refF32(`vae_encoder/${name}/sample`), shape: refShape(`vae_encoder/${name}/sample`) });
    expect(out.kind).toBe('gaussian');
    if (out.kind !== 'gaussian') return;
    expect(relErr(out.mean.data, refF32(`vae_encoder/${name}/latent_mean`))).toBeLessThanOrEqual(FORWARD_TOL);
    expect(relErr(out.logvar.data, refF32(`vae_encoder/${name}/latent_logvar`))).toBeLessThanOrEqual(FORWARD_TOL);
  });
});

describe('OnnxVaeDecoder', () => {
  it.each(['case0', 'case1'])('%s sample', async (name) => {
    const dec = new OnnxVaeDecoder(ort, sessions.vae_decoder);
    const out = await dec.decode({ data: refF32(`vae_decoder/${name}/latent_sample`), shape: refShape(`vae_decoder/${name}/latent_sample`) });
    expect(out.shape).toEqual(refShape(`vae_decoder/${name}/sample`));
    expect(relErr(out.data, refF32(`vae_decoder/${name}/sample`))).toBeLessThanOrEqual(FORWARD_TOL);
  });
});
