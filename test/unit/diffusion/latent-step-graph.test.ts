// The GPU step graph (CFG + scheduler step + next UNet input) against the CPU path it
// replaces, for every scheduler, with and without guidance, clipping and float16 UNet IO.
// Run here on ORT's wasm EP; the browser suite runs the same graph on the WebGPU EP.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/random';
import { float16BitsToFloat32, toFloat16Bits } from '../../../src/ml/diffusion/onnx/float16';
import { stepCoefficients, stepGraphModel, type StepGraphVariant } from '../../../src/ml/diffusion/onnx/latent-step-graph';
import { applyGuidance, duplicateBatch } from '../../../src/ml/diffusion/pipeline/guidance';
import { createScheduler, schedulerConfig, timestepsForStrength, type SchedulerKind } from '../../../src/ml/diffusion/schedulers';
import { relErr } from './fixtures';
import { ort } from './ort-node';

const SHAPE: readonly number[] = [1, 4, 6, 5];
const N = SHAPE.reduce((a, b) => a * b, 1);
const SD = { betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear' as const, stepsOffset: 1, setAlphaToOne: false };

function randn(seed: number, n = N): Float32Array {
  const out = new Float32Array(n);
  createRng(seed).fillNormal(out);
  return out;
}

/** A stand-in UNet: a fixed affine map of its input, different per CFG row. */
function fakeUnet(input: Float32Array, batch: number): Float32Array {
  const bias = randn(99, input.length);
  return input.map((v, i) => (i < N || batch === 1 ? 0.4 : 0.7) * v + bias[i]);
}

const roundF16 = (a: Float32Array) => Float32Array.from(toFloat16Bits(a), float16BitsToFloat32);

async function runTrajectory(kind: SchedulerKind, v: StepGraphVariant, steps: number) {
  const config = schedulerConfig(kind, { ...SD, clipSample: v.clip, clipSampleRange: 1.5 });
  const host = createScheduler(kind, config);
  const dev = createScheduler(kind, config);
  const { timesteps } = timestepsForStrength(host, steps, 0.8);
  timestepsForStrength(dev, steps, 0.8);
  const session = await ort.InferenceSession.create(stepGraphModel(v), { executionProviders: ['wasm'] });
  const guidance = v.cfg ? 4.5 : 1;
  const batch = v.cfg ? 2 : 1;
  const hostRng = createRng(5);
  const devRng = createRng(5);
  const io = (a: Float32Array, type: 'float32' | 'float16') => (type === 'float16' ? roundF16(a) : a);

  let xHost: Float32Array = randn(1);
  let xDev: Float32Array = xHost.slice();
  let history: Float32Array = new Float32Array(N);
  const d0 = dev.modelInputDivisor(timesteps[0]);
  let devInput: Float32Array = io(duplicateBatchIf(xDev.map((x) => x / d0), batch), v.unetInput);
  const worst = { latents: 0, denoised: 0, input: 0 };
  for (let i = 0; i < timesteps.length; i++) {
    const t = timesteps[i];
    const hostInput = io(duplicateBatchIf(host.scaleModelInput(xHost, t), batch), v.unetInput);
    const hostOut = io(fakeUnet(hostInput, batch), v.unetOutput);
    worst.input = Math.max(worst.input, relErr(devInput, hostInput));
    const stepped = host.step(v.cfg ? applyGuidance(hostOut, guidance) : hostOut, t, xHost, { rng: hostRng, eta: 0.5 });
    xHost = stepped.prevSample;

    const out = io(fakeUnet(devInput, batch), v.unetOutput);
    const plan = dev.planStep(t, N, { rng: devRng, eta: 0.5 });
    const next = i + 1 < timesteps.length ? dev.modelInputDivisor(timesteps[i + 1]) : 1;
    const tensor = (data: Float32Array, dims: readonly number[], type: 'float32' | 'float16' = 'float32') =>
      type === 'float16' ? new ort.Tensor('float16', toFloat16Bits(data), dims) : new ort.Tensor('float32', data, dims);
    const r = await session.run({
      sample: tensor(xDev, SHAPE),
      unet_output: tensor(out, [batch, ...SHAPE.slice(1)], v.unetOutput),
      history: tensor(history, SHAPE),
      noise: tensor(plan.noise ?? new Float32Array(N), SHAPE),
      coef: tensor(stepCoefficients(plan, guidance, next), [14]),
    });
    const f32 = (name: string): Float32Array => {
      const t = r[name];
      return t.type === 'float16' ? Float32Array.from(t.data as Uint16Array, float16BitsToFloat32) : (t.data as Float32Array);
    };
    xDev = f32('latents');
    history = f32('denoised');
    devInput = f32('unet_input');
    expect(r.unet_input.dims).toEqual([batch, ...SHAPE.slice(1)]);
    worst.latents = Math.max(worst.latents, relErr(xDev, xHost));
    worst.denoised = Math.max(worst.denoised, relErr(history, stepped.predOriginalSample));
  }
  await session.release();
  return { worst, xHost, xDev };
}

function duplicateBatchIf(a: Float32Array, batch: number): Float32Array {
  return batch === 2 ? duplicateBatch(a) : a;
}

const KINDS: SchedulerKind[] = ['ddim', 'euler-discrete', 'euler-ancestral', 'dpm-solver-multistep', 'lcm'];

describe('latent step graph', () => {
  it.each(KINDS)('%s: float32, with and without CFG, follows the CPU steps', async (kind) => {
    for (const cfg of [true, false]) {
      const { worst } = await runTrajectory(kind, { cfg, clip: false, unetOutput: 'float32', unetInput: 'float32' }, kind === 'lcm' ? 4 : 8);
      expect(worst.latents, `${kind} cfg=${cfg}`).toBeLessThan(1e-5);
      expect(worst.denoised, `${kind} cfg=${cfg}`).toBeLessThan(1e-5);
      expect(worst.input, `${kind} cfg=${cfg}`).toBeLessThan(1e-5);
    }
  });

  it.each(['ddim', 'lcm'] as const)('%s: clip_sample clamps x̂₀ the same way', async (kind) => {
    const { worst, xDev } = await runTrajectory(kind, { cfg: true, clip: true, unetOutput: 'float32', unetInput: 'float32' }, 4);
    expect(worst.denoised).toBeLessThan(1e-5);
    expect(worst.latents).toBeLessThan(1e-5);
    expect(xDev.some((v) => Number.isNaN(v))).toBe(false);
  });

  it('float16 UNet IO: casts in and out, within float16 precision of the CPU path', async () => {
    const { worst } = await runTrajectory('euler-discrete', { cfg: true, clip: false, unetOutput: 'float16', unetInput: 'float16' }, 6);
    expect(worst.latents).toBeLessThan(2e-3);
    expect(worst.input).toBeLessThan(2e-3);
  });

  it('a wrong coefficient changes the result (the comparison can fail)', async () => {
    const v: StepGraphVariant = { cfg: false, clip: false, unetOutput: 'float32', unetInput: 'float32' };
    const s = createScheduler('ddim', schedulerConfig('ddim', { ...SD, clipSample: false }));
    s.setTimesteps(10);
    const plan = s.planStep(s.timesteps[0], N);
    const session = await ort.InferenceSession.create(stepGraphModel(v), { executionProviders: ['wasm'] });
    const x = randn(3);
    const m = randn(4);
    const zeros = new Float32Array(N);
    const feeds = (coef: Float32Array) => ({
      sample: new ort.Tensor('float32', x, SHAPE),
      unet_output: new ort.Tensor('float32', m, SHAPE),
      history: new ort.Tensor('float32', zeros, SHAPE),
      noise: new ort.Tensor('float32', zeros, SHAPE),
      coef: new ort.Tensor('float32', coef, [14]),
    });
    const good = (await session.run(feeds(stepCoefficients(plan, 1, 1)))).latents.data as Float32Array;
    const cpu = s.step(m, s.timesteps[0], x);
    expect(relErr(good, cpu.prevSample)).toBeLessThan(1e-6);
    const bad = (await session.run(feeds(stepCoefficients({ ...plan, prev: { ...plan.prev, eps: plan.prev.eps * 1.01 } }, 1, 1)))).latents.data as Float32Array;
    expect(relErr(bad, cpu.prevSample)).toBeGreaterThan(1e-4);
    await session.release();
  });
});
