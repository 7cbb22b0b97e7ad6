// Schedulers against diffusers 0.31 numbers (diffusion-tiny/scheduler/reference.json, refs/*.bin).
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import {
  DdimScheduler,
  EulerDiscreteScheduler,
  noiseSchedule,
  parseSchedulerConfig,
  schedulerFromDiffusersConfig,
  timestepsForStrength,
} from '../../../src/ml/diffusion/schedulers';
import { TINY, readJson, refF32, relErr } from './fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ref = readJson<any>(resolve(TINY, 'scheduler/reference.json'));
const ddimRaw = readJson<Record<string, unknown>>(resolve(TINY, 'scheduler/scheduler_config.json'));
const eulerRaw = readJson<Record<string, unknown>>(resolve(TINY, 'scheduler_euler_discrete/scheduler_config.json'));
const FLOAT_TOL = 1e-6;

describe('noise schedule', () => {
  const { betas, alphasCumprod } = noiseSchedule(parseSchedulerConfig(ddimRaw).config);
  it('betas and alphas_cumprod equal diffusers float32 values', () => {
    expect(Array.from(betas)).toEqual(ref.betas);
    expect(Array.from(alphasCumprod)).toEqual(ref.alphas_cumprod);
  });
});

describe('DDIM', () => {
  const make = () => schedulerFromDiffusersConfig(ddimRaw) as DdimScheduler;

  it('timesteps, final alpha and init sigma', () => {
    const s = make();
    expect(s).toBeInstanceOf(DdimScheduler);
    expect(s.finalAlphaCumprod).toBe(ref.ddim.final_alpha_cumprod);
    expect(s.initNoiseSigma).toBe(ref.ddim.init_noise_sigma);
    s.setTimesteps(10);
    expect(s.timesteps).toEqual(ref.ddim.timesteps_10);
    s.setTimesteps(25);
    expect(s.timesteps).toEqual(ref.ddim.timesteps_25);
  });

  it('img2img timesteps for strength 0.6', () => {
    const r = timestepsForStrength(make(), 10, 0.6);
    const e = ref.ddim['img2img_strength_0.6_steps_10'];
    expect(r.initTimestep).toBe(e.init_timestep);
    expect(r.tStart).toBe(e.t_start);
    expect(r.timesteps).toEqual(e.timesteps);
    expect(r.latentTimestep).toBe(e.latent_timestep);
    expect(r.timesteps).toHaveLength(e.num_denoising_steps);
  });

  it.each((ref.ddim.step_cases as any[]).map((c: any) => [c.timestep, c] as [number, any]))('step at t=%i', (_t, c: any) => {
    const s = make();
    s.setTimesteps(c.num_inference_steps);
    const out = s.step(refF32(c.inputs.model_output), c.timestep, refF32(c.inputs.sample), { eta: c.eta });
    expect(relErr(out.prevSample, refF32(c.outputs.prev_sample))).toBeLessThanOrEqual(FLOAT_TOL);
    expect(relErr(out.predOriginalSample, refF32(c.outputs.pred_original_sample))).toBeLessThanOrEqual(FLOAT_TOL);
  });

  it('add_noise with per-item timesteps', () => {
    const c = ref.ddim.add_noise_case;
    const out = make().addNoise(refF32(c.inputs.original_samples), refF32(c.inputs.noise), c.timesteps);
    expect(relErr(out, refF32(c.outputs.noisy_samples))).toBeLessThanOrEqual(FLOAT_TOL);
  });
});

describe('Euler discrete', () => {
  const e = ref.euler_discrete;
  const make = (overrides: Record<string, unknown> = {}) =>
    schedulerFromDiffusersConfig({ ...eulerRaw, ...overrides }) as EulerDiscreteScheduler;

  it.each([10, 25])('leading spacing, %i steps', (n) => {
    const s = make();
    s.setTimesteps(n);
    expect(s.timesteps).toEqual(e[`timesteps_${n}`]);
    expect(relErr(s.sigmas, e[`sigmas_${n}`])).toBeLessThanOrEqual(FLOAT_TOL);
    expect(s.sigmas[n]).toBe(0);
    expect(Math.abs(s.initNoiseSigma - e[`init_noise_sigma_${n}`]) / e[`init_noise_sigma_${n}`]).toBeLessThanOrEqual(FLOAT_TOL);
  });

  it.each([10, 25])('linspace spacing (diffusers default), %i steps', (n) => {
    const s = make({ timestep_spacing: 'linspace' });
    s.setTimesteps(n);
    expect(s.timesteps).toEqual(e[`linspace_spacing_timesteps_${n}`]);
    expect(relErr(s.sigmas, e[`linspace_spacing_sigmas_${n}`])).toBeLessThanOrEqual(FLOAT_TOL);
  });

  it('img2img timesteps and begin index', () => {
    const s = make();
    const r = timestepsForStrength(s, 10, 0.6);
    const c = e['img2img_strength_0.6_steps_10'];
    expect(r.tStart).toBe(c.begin_index);
    expect(r.timesteps).toEqual(c.timesteps);
    expect(r.latentTimestep).toBe(c.latent_timestep);
    expect(relErr(s.sigmas.slice(c.begin_index), c.sigmas_used)).toBeLessThanOrEqual(FLOAT_TOL);
  });

  it.each((e.step_cases as any[]).map((c: any) => [c.step_index, c] as [number, any]))('step at index %i', (_i, c: any) => {
    const s = make();
    s.setTimesteps(c.num_inference_steps);
    const sample = refF32(c.inputs.sample);
    const scaled = s.scaleModelInput(sample, c.timestep);
    expect(relErr(scaled, refF32(c.outputs.scale_model_input))).toBeLessThanOrEqual(FLOAT_TOL);
    const out = s.step(refF32(c.inputs.model_output), c.timestep, sample);
    expect(relErr(out.prevSample, refF32(c.outputs.prev_sample))).toBeLessThanOrEqual(FLOAT_TOL);
    expect(relErr(out.predOriginalSample, refF32(c.outputs.pred_original_sample))).toBeLessThanOrEqual(FLOAT_TOL);
  });

  it('add_noise at the img2img begin index', () => {
    const c = e.add_noise_case;
    const s = make();
    timestepsForStrength(s, c.num_inference_steps, 0.6);
    const out = s.addNoise(refF32(c.inputs.original_samples), refF32(c.inputs.noise), c.timesteps);
    expect(relErr(out, refF32(c.outputs.noisy_samples))).toBeLessThanOrEqual(FLOAT_TOL);
  });
});

describe('config parsing', () => {
  it('refuses settings it does not implement', () => {
    expect(() => schedulerFromDiffusersConfig({ ...eulerRaw, use_karras_sigmas: true })).toThrow(/use_karras_sigmas/);
    expect(() => schedulerFromDiffusersConfig({ ...ddimRaw, thresholding: true })).toThrow(/thresholding/);
    expect(() => schedulerFromDiffusersConfig({ _class_name: 'KDPM2DiscreteScheduler' })).toThrow(/unsupported scheduler class KDPM2DiscreteScheduler .*choose one of them for the run/);
  });

  it('reinterprets a config for another class with that class defaults (diffusers from_config)', () => {
    const s = schedulerFromDiffusersConfig({ _class_name: 'PNDMScheduler', steps_offset: 1 }, 'ddim');
    expect(s.kind).toBe('ddim');
    expect(s.config.clipSample).toBe(true);
    expect(s.config.stepsOffset).toBe(1);
  });
});
