// Input adaptation of the ONNX wrappers for exports that differ from the fixture: checked
// with a recording stand-in session that declares other names, dtypes and ranks.
import { describe, expect, it } from 'vitest';
import { OnnxTextEncoder, OnnxUnetDenoiser, OnnxVaeEncoder } from '../../../src/ml/diffusion';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/ml/diffusion/onnx/float16';
import type { OrtSession } from '../../../src/ml/diffusion/onnx/ort-types';
import { ort } from './ort-node';

type Decl = { name: string; type: string; shape: (number | string)[] };

function fakeSession(inputs: Decl[], outputs: Record<string, () => InstanceType<typeof ort.Tensor>>) {
  const feeds: Record<string, InstanceType<typeof ort.Tensor>>[] = [];
  const session = {
    inputNames: inputs.map((i) => i.name),
    outputNames: Object.keys(outputs),
    inputMetadata: inputs.map((i) => ({ ...i, isTensor: true })),
    async run(f: Record<string, InstanceType<typeof ort.Tensor>>) {
      feeds.push(f);
      return Object.fromEntries(Object.entries(outputs).map(([k, make]) => [k, make()]));
    },
    async release() {},
  } as unknown as OrtSession;
  return { session, feeds };
}

const zeros = (type: 'float32' | 'float16', dims: number[]) => () =>
  type === 'float32' ? new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b)), dims) : new ort.Tensor('float16', new Uint16Array(dims.reduce((a, b) => a * b)), dims);

describe('ONNX input adaptation', () => {
  it('text encoder: int32 input_ids and an attention_mask of ones', async () => {
    const { session, feeds } = fakeSession(
      [
        { name: 'input_ids', type: 'int32', shape: ['batch', 77] },
        { name: 'attention_mask', type: 'int64', shape: ['batch', 77] },
      ],
      { last_hidden_state: zeros('float32', [1, 77, 8]) },
    );
    const out = await new OnnxTextEncoder(ort, session).encode(new Int32Array(77).fill(49407), 1);
    expect(out.shape).toEqual([1, 77, 8]);
    expect(feeds[0].input_ids.type).toBe('int32');
    expect(feeds[0].attention_mask.type).toBe('int64');
    expect(Array.from(feeds[0].attention_mask.data as BigInt64Array).every((v) => v === 1n)).toBe(true);
  });

  it('UNet: scalar int64 timestep (truncated like numpy) and float16 tensors', async () => {
    const { session, feeds } = fakeSession(
      [
        { name: 'sample', type: 'float16', shape: ['b', 4, 'h', 'w'] },
        { name: 'timestep', type: 'int64', shape: [] },
        { name: 'encoder_hidden_states', type: 'float16', shape: ['b', 77, 8] },
      ],
      { out_sample: zeros('float16', [2, 4, 2, 2]) },
    );
    const unet = new OnnxUnetDenoiser(ort, session);
    const ehs = { data: new Float32Array(2 * 77 * 8).fill(0.5), shape: [2, 77, 8] };
    const out = await unet.predictNoise(new Float32Array(32).fill(1.5), [2, 4, 2, 2], 957.375, ehs);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out).toHaveLength(32);
    const f = feeds[0];
    expect(f.timestep.dims).toEqual([]);
    expect(f.timestep.data).toEqual(BigInt64Array.from([957n]));
    expect(f.sample.type).toBe('float16');
    expect(float16BitsToFloat32((f.sample.data as Uint16Array)[0])).toBe(1.5);
    // The embeddings tensor is built once per embeddings object.
    await unet.predictNoise(new Float32Array(32), [2, 4, 2, 2], 1, ehs);
    expect(feeds[1].encoder_hidden_states).toBe(f.encoder_hidden_states);
  });

  it('UNet: a [1] timestep is fed as [1] for a CFG batch of 2, [batch] as [2]', async () => {
    for (const [shape, dims] of [
      [[1], [1]],
      [['batch'], [2]],
    ] as const) {
      const { session, feeds } = fakeSession(
        [
          { name: 'sample', type: 'float32', shape: ['b', 4, 'h', 'w'] },
          { name: 'timestep', type: 'float32', shape: [...shape] },
          { name: 'encoder_hidden_states', type: 'float32', shape: ['b', 77, 8] },
        ],
        { out_sample: zeros('float32', [2, 4, 2, 2]) },
      );
      await new OnnxUnetDenoiser(ort, session).predictNoise(new Float32Array(32), [2, 4, 2, 2], 501, {
        data: new Float32Array(2 * 77 * 8),
        shape: [2, 77, 8],
      });
      expect(feeds[0].timestep.dims).toEqual(dims);
      expect(Array.from(feeds[0].timestep.data as Float32Array).every((t) => t === 501)).toBe(true);
    }
  });

  it('UNet: refuses inputs it cannot feed (SDXL text_embeds, time_ids); takes LCM\'s timestep_cond', () => {
    const base: Decl[] = [
      { name: 'sample', type: 'float32', shape: ['b', 4, 'h', 'w'] },
      { name: 'timestep', type: 'float32', shape: ['b'] },
      { name: 'encoder_hidden_states', type: 'float32', shape: ['b', 77, 8] },
    ];
    const sdxl = fakeSession(
      [...base, { name: 'text_embeds', type: 'float32', shape: ['b', 1280] }, { name: 'time_ids', type: 'float32', shape: ['b', 6] }],
      {},
    );
    expect(() => new OnnxUnetDenoiser(ort, sdxl.session)).toThrow(/'text_embeds', 'time_ids'.*does not provide/);
    const lcm = fakeSession([...base, { name: 'timestep_cond', type: 'float32', shape: ['b', 256] }], {});
    expect(new OnnxUnetDenoiser(ort, lcm.session).guidanceEmbeddingDim).toBe(256);
  });

  it('VAE encoder: splits 8-channel moments and clamps logvar to [-30, 20]', async () => {
    const moments = new Float32Array(8).map((_, i) => (i < 4 ? i : i === 4 ? 50 : -40));
    const { session } = fakeSession([{ name: 'sample', type: 'float32', shape: ['b', 3, 'h', 'w'] }], {
      latent_parameters: () => new ort.Tensor('float32', moments, [1, 8, 1, 1]),
    });
    const out = await new OnnxVaeEncoder(ort, session).encode({ data: new Float32Array(12), shape: [1, 3, 2, 2] });
    expect(out.kind).toBe('gaussian');
    if (out.kind !== 'gaussian') return;
    expect(Array.from(out.mean.data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(out.logvar.data)).toEqual([20, -30, -30, -30]);
  });

  it('float16 conversion rounds to nearest even and round-trips representable values', () => {
    for (const v of [0, -0, 1, -2.5, 65504, 6.103515625e-5, 5.960464477539063e-8, 0.333251953125]) {
      expect(float16BitsToFloat32(float32ToFloat16Bits(v))).toBe(v);
    }
    expect(float16BitsToFloat32(float32ToFloat16Bits(1 + 2 ** -11))).toBe(1); // tie → even
    expect(float16BitsToFloat32(float32ToFloat16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(float16BitsToFloat32(float32ToFloat16Bits(1e6))).toBe(Infinity);
  });
});
