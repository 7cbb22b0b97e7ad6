// PNDM (PLMS, skip_prk_steps) as diffusers' PNDMScheduler: no diffusers fixture for it, so
// the schedule is checked against values worked out from diffusers' set_timesteps, the
// step against a float64 transliteration of step_plms, and the update against the exact
// solution it must reproduce when the model predicts the true noise.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/random';
import { loadOnnxImg2ImgPipeline } from '../../../src/ml/diffusion';
import { img2imgStepCount, schedulerFromDiffusersConfig, timestepsForStrength, type Scheduler } from '../../../src/ml/diffusion/schedulers';
import { maxAbsDiff, refU8 } from './fixtures';
import { ort, tinySession, wasmDeviceLoops } from './ort-node';
import { readTinyPipelineText } from './tiny-reference';

const SD15 = {
  _class_name: 'PNDMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000,
  set_alpha_to_one: false, skip_prk_steps: true, steps_offset: 1, prediction_type: 'epsilon',
};

function randn(seed: number, n: number): Float32Array {
  const out = new Float32Array(n);
  createRng(seed).fillNormal(out);
  return out;
}

/** diffusers' PNDMScheduler.step_plms + _get_prev_sample in float64. */
function referencePlms(ac: Float32Array, n: number, finalAlpha: number) {
  const ratio = Math.floor(1000 / n);
  let ets: Float64Array<ArrayBufferLike>[] = [];
  let counter = 0;
  let cur: Float64Array<ArrayBufferLike> | null = null;
  return (out: Float32Array, timestep: number, sample: Float32Array): Float64Array => {
    let t = timestep;
    let prev = timestep - ratio;
    const mo = Float64Array.from(out);
    if (counter !== 1) ets = [...ets.slice(-3), mo];
    else [prev, t] = [timestep, timestep + ratio];
    let x: Float64Array<ArrayBufferLike> = Float64Array.from(sample);
    let e: Float64Array<ArrayBufferLike>;
    const k = ets.length;
    const E = (i: number) => ets[k - i];
    if (k === 1 && counter === 0) [e, cur] = [mo, x];
    else if (k === 1 && counter === 1) [e, x, cur] = [mo.map((v, i) => (v + E(1)[i]) / 2), cur!, null];
    else if (k === 2) e = mo.map((_, i) => (3 * E(1)[i] - E(2)[i]) / 2);
    else if (k === 3) e = mo.map((_, i) => (23 * E(1)[i] - 16 * E(2)[i] + 5 * E(3)[i]) / 12);
    else e = mo.map((_, i) => (55 * E(1)[i] - 59 * E(2)[i] + 37 * E(3)[i] - 9 * E(4)[i]) / 24);
    const a = ac[t];
    const ap = prev >= 0 ? ac[prev] : finalAlpha;
    const denom = a * Math.sqrt(1 - ap) + Math.sqrt(a * (1 - a) * ap);
    counter++;
    return x.map((xi, i) => Math.sqrt(ap / a) * xi - ((ap - a) * e[i]) / denom);
  };
}

describe('PNDM scheduler (PLMS)', () => {
  it('lists the timesteps as diffusers does: the second-to-last twice (n + 1 evaluations)', () => {
    const s = schedulerFromDiffusersConfig(SD15);
    expect(s.kind).toBe('pndm');
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([901, 801, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    s.setTimesteps(1);
    expect(s.timesteps).toEqual([1]);
    // img2img (StableDiffusionImg2ImgPipeline.get_timesteps): strength 0.6 of 10 → from index 4
    expect(timestepsForStrength(s, 10, 0.6).timesteps).toEqual([601, 501, 401, 301, 201, 101, 1]);
    expect(img2imgStepCount('sd', 10, 0.6, 'pndm')).toBe(7);
    expect(img2imgStepCount('sd', 10, 1, 'pndm')).toBe(11);
    expect(img2imgStepCount('sd', 10, 0.6, 'ddim')).toBe(6);
  });

  it('steps like a float64 transliteration of step_plms, through every branch (warm-up mean, 2-, 3- and 4-output mixes)', () => {
    const s = schedulerFromDiffusersConfig(SD15) as Scheduler & { finalAlphaCumprod: number };
    s.setTimesteps(8);
    const ref = referencePlms(s.alphasCumprod, 8, s.finalAlphaCumprod);
    let x = randn(1, 64);
    let worst = 0;
    s.timesteps.forEach((t, i) => {
      const out = randn(100 + i, 64);
      const want = ref(out, t, x);
      const got = s.step(out, t, x).prevSample;
      worst = Math.max(worst, maxAbsDiff(got, Array.from(want)));
      x = got;
    });
    expect(s.timesteps).toHaveLength(9);
    expect(worst).toBeLessThan(1e-5);
  });

  it('given the true noise at every step, each update lands exactly on √ᾱ·x₀ + √(1−ᾱ)·ε', () => {
    const s = schedulerFromDiffusersConfig(SD15) as Scheduler & { finalAlphaCumprod: number };
    s.setTimesteps(12);
    const x0 = randn(7, 256);
    const eps = randn(8, 256);
    const at = (a: number) => x0.map((v, i) => Math.sqrt(a) * v + Math.sqrt(1 - a) * eps[i]);
    let x = s.addNoise(x0, eps, s.timesteps[0]);
    const ratio = Math.floor(1000 / 12);
    let worst = 0;
    s.timesteps.forEach((t, i) => {
      x = s.step(eps, t, x).prevSample;
      // the second evaluation re-does the first step, so it lands where the first one did
      const target = i === 1 ? t : t - ratio;
      worst = Math.max(worst, maxAbsDiff(x, at(target >= 0 ? s.alphasCumprod[target] : s.finalAlphaCumprod)));
    });
    expect(worst).toBeLessThan(2e-5);
  });

  it('refuses configs with Runge–Kutta warm-up steps and has no LinearStep plan', () => {
    expect(() => schedulerFromDiffusersConfig({ ...SD15, skip_prk_steps: false })).toThrow(/skip_prk_steps=true/);
    expect(() => schedulerFromDiffusersConfig({ _class_name: 'DDIMScheduler' }, 'pndm')).toThrow(/skip_prk_steps=true/);
    const s = schedulerFromDiffusersConfig(SD15);
    expect(s.plansSteps).toBe(false);
    expect(() => s.planStep(1, 4)).toThrow(/step it on the CPU/);
  });

  it('runs the tiny pipeline as its own scheduler on the host loop even where a GPU loop is offered', async () => {
    const pipeline = await loadOnnxImg2ImgPipeline({
      ort,
      files: { readText: async (p) => (p === 'scheduler/scheduler_config.json' ? JSON.stringify(SD15) : readTinyPipelineText(p)) },
      createSession: tinySession,
      unet: { deviceLoop: wasmDeviceLoops() },
    });
    try {
      let unetCalls = 0;
      const out = await pipeline.run({
        image: { data: refU8('img2img/init_image_u8_hwc'), width: 64, height: 64, channels: 3 },
        prompt: 'a pediatric chest x-ray showing pneumonia', strength: 0.6, numInferenceSteps: 10, guidanceScale: 5, seed: 4,
        onIntermediate: (name) => void (name.endsWith('/unet_output') && unetCalls++),
      });
      expect(out.loop).toBe('host');
      expect(out.timesteps).toEqual([601, 501, 401, 301, 201, 101, 1]);
      expect(unetCalls).toBe(7);
      expect(out.image.every((v) => v >= 0 && v <= 1)).toBe(true);
    } finally {
      await pipeline.dispose();
    }
  });
});
