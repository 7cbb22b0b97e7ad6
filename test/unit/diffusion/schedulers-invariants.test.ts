// Samplers without diffusers fixtures (Euler ancestral, DPM-Solver++ 2M, LCM) and
// v-prediction: checked by properties that a wrong formula breaks.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/random';
import {
  createScheduler,
  DpmSolverMultistepScheduler,
  img2imgSchedule,
  img2imgStepCount,
  schedulerConfig,
  schedulerFromDiffusersConfig,
  timestepsForStrength,
  type Scheduler,
  type SchedulerKind,
} from '../../../src/ml/diffusion/schedulers';
import { maxAbsDiff } from './fixtures';

const SD = { betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear' as const, stepsOffset: 1 };
const N = 4 * 8 * 8;

function randn(seed: number, n = N): Float32Array {
  const out = new Float32Array(n);
  createRng(seed).fillNormal(out);
  return out;
}

/** σ(t) on the training grid, interpolated like the schedulers do for fractional t. */
function sigmaAt(s: Scheduler, t: number): number {
  const ac = s.alphasCumprod;
  const sig = (i: number) => Math.sqrt((1 - ac[i]) / ac[i]);
  const j = Math.min(Math.floor(t), ac.length - 2);
  return sig(j) + (sig(j + 1) - sig(j)) * (t - j);
}

/** An oracle UNet that knows x₀: returns the exact ε (or v) for the VP model input. */
function oracle(s: Scheduler, x0: Float32Array) {
  return (modelInput: Float32Array, t: number): Float32Array => {
    const sigma = sigmaAt(s, t);
    const a = 1 / Math.sqrt(1 + sigma * sigma);
    const b = sigma * a;
    return modelInput.map((x, i) => {
      const eps = (x - a * x0[i]) / b;
      return s.config.predictionType === 'v_prediction' ? a * eps - b * x0[i] : eps;
    });
  };
}

function sample(s: Scheduler, x0: Float32Array, steps: number, seed: number, strength = 1): Float32Array {
  const rng = createRng(seed);
  const model = oracle(s, x0);
  let x: Float32Array;
  let timesteps: readonly number[];
  if (strength < 1) {
    const r = timestepsForStrength(s, steps, strength);
    timesteps = r.timesteps;
    const noise = new Float32Array(x0.length);
    rng.fillNormal(noise);
    x = s.addNoise(x0, noise, r.latentTimestep);
  } else {
    s.setTimesteps(steps);
    timesteps = s.timesteps;
    x = new Float32Array(x0.length);
    rng.fillNormal(x);
    x = x.map((v) => v * s.initNoiseSigma);
  }
  for (const t of timesteps) {
    x = s.step(model(s.scaleModelInput(x, t), t), t, x, { rng }).prevSample;
  }
  return x;
}

const KINDS: SchedulerKind[] = ['ddim', 'euler-discrete', 'euler-ancestral', 'dpm-solver-multistep', 'lcm'];
const make = (kind: SchedulerKind, extra = {}) =>
  createScheduler(kind, schedulerConfig(kind, { ...SD, clipSample: false, setAlphaToOne: false, ...extra }));

describe.each(KINDS)('%s with an oracle denoiser', (kind) => {
  const x0 = randn(1).map((v) => 0.8 * v);
  // LCM's boundary condition keeps c_skip ≈ 1e-5 of the noisy sample at the last step.
  const tol = kind === 'lcm' ? 2e-4 : 2e-5;

  it.each([
    ['epsilon', 1],
    ['epsilon', 0.6],
    ['v_prediction', 1],
  ] as const)('recovers x0 (%s, strength %s)', (predictionType, strength) => {
    // set_alpha_to_one: DDIM's last step then lands on ᾱ = 1 (pure x̂₀) instead of ᾱ₀.
    const s = make(kind, { predictionType, setAlphaToOne: true });
    const out = sample(s, x0, kind === 'lcm' ? 4 : 12, 2, strength);
    expect(maxAbsDiff(out, x0)).toBeLessThan(tol);
  });

  it('is deterministic for a seed, and the seed matters where noise is drawn', () => {
    const a = sample(make(kind), x0, 8, 5);
    const b = sample(make(kind), x0, 8, 5);
    expect(Array.from(a)).toEqual(Array.from(b));
    // A wrong model output must change the result (the test can fail).
    const s = make(kind);
    s.setTimesteps(8);
    const t = s.timesteps[0];
    const x = randn(9).map((v) => v * s.initNoiseSigma);
    const eps = randn(10);
    const r1 = s.step(eps, t, x, { rng: createRng(3) }).prevSample;
    const s2 = make(kind);
    s2.setTimesteps(8);
    const r2 = s2.step(eps.map((v) => v + 0.1), t, x, { rng: createRng(3) }).prevSample;
    expect(maxAbsDiff(r1, r2)).toBeGreaterThan(1e-3);
  });
});

describe('Euler ancestral', () => {
  it('needs an rng and its noise depends on the seed', () => {
    const s = make('euler-ancestral');
    s.setTimesteps(10);
    const x = randn(2).map((v) => v * s.initNoiseSigma);
    const eps = randn(3);
    expect(() => s.step(eps, s.timesteps[0], x)).toThrow(/rng/);
    const run = (seed: number) => {
      const s2 = make('euler-ancestral');
      s2.setTimesteps(10);
      return s2.step(eps, s2.timesteps[0], x, { rng: createRng(seed) }).prevSample;
    };
    expect(maxAbsDiff(run(1), run(2))).toBeGreaterThan(0.1);
  });

  it('adds noise of variance σ_up² (σ_down² + σ_up² = σ_next²)', () => {
    const s = make('euler-ancestral');
    s.setTimesteps(10);
    const sig = (s as unknown as { sigmas: Float32Array }).sigmas;
    const [from, to] = [sig[0], sig[1]];
    const up = Math.sqrt((to * to * (from * from - to * to)) / (from * from));
    const n = 200_000;
    const x0 = new Float32Array(n);
    const model = oracle(s, x0);
    const x = randn(4, n).map((v) => v * from);
    const out = s.step(model(s.scaleModelInput(x, s.timesteps[0]), s.timesteps[0]), s.timesteps[0], x, { rng: createRng(8) });
    // x0 = 0: deterministic part is x·σ_down/σ; the rest is the drawn noise.
    const down = Math.sqrt(to * to - up * up);
    let sumSq = 0;
    for (let i = 0; i < n; i++) sumSq += (out.prevSample[i] - (x[i] * down) / from) ** 2;
    expect(Math.sqrt(sumSq / n) / up).toBeCloseTo(1, 2);
  });
});

describe('DPM-Solver++ 2M', () => {
  // With x̂₀ linear in λ = log(α/σ), the data-prediction ODE solution is closed-form:
  // x_t = (σ_t/σ_s)·x_s + σ_t·[e^λ(A + B(λ−1))] from λ_s to λ_t. The "heun" 2M update is
  // exact for it; "midpoint" has diffusers' coefficient ½·α_t(1−e^{−h}) on D1.
  it.each(['heun', 'midpoint'] as const)('second-order step (%s) matches the closed form', (solverType) => {
    const s = make('dpm-solver-multistep', { solverType }) as DpmSolverMultistepScheduler;
    s.setTimesteps(10);
    const A = randn(11);
    const B = randn(12).map((v) => 0.3 * v);
    const lam = (sigma: number) => -Math.log(sigma); // α/σ = 1/σ_VE
    const vp = (sigma: number) => ({ a: 1 / Math.sqrt(1 + sigma * sigma), s: sigma / Math.sqrt(1 + sigma * sigma) });
    // Model outputs ε such that x̂₀ = A + B·λ at the current σ.
    const epsFor = (x: Float32Array, sigma: number) => {
      const { a, s: sg } = vp(sigma);
      return x.map((xi, i) => (xi - a * (A[i] + B[i] * lam(sigma))) / sg);
    };
    const sig = s.sigmas;
    let x = randn(13);
    x = s.step(epsFor(x, sig[0]), s.timesteps[0], x).prevSample; // first order
    const xs = x;
    const out = s.step(epsFor(xs, sig[1]), s.timesteps[1], xs).prevSample;
    const [ls0, lt] = [lam(sig[1]), lam(sig[2])];
    const { a: at, s: st } = vp(sig[2]);
    const { s: ss0 } = vp(sig[1]);
    const h = lt - ls0;
    const expected = xs.map((xi, i) => {
      const heun = (st / ss0) * xi + st * (Math.exp(lt) * (A[i] + B[i] * (lt - 1)) - Math.exp(ls0) * (A[i] + B[i] * (ls0 - 1)));
      if (solverType === 'heun') return heun;
      const d1 = B[i] * h;
      return heun - at * ((Math.exp(-h) - 1) / h + 1) * d1 - 0.5 * at * (Math.exp(-h) - 1) * d1;
    });
    expect(maxAbsDiff(out, expected)).toBeLessThan(2e-5);
  });

  it('first-order update equals DDIM (eta 0) between the same noise levels', () => {
    const s = make('dpm-solver-multistep');
    s.setTimesteps(10);
    const [t, tNext] = s.timesteps;
    const ac = s.alphasCumprod;
    const x = randn(20);
    const eps = randn(21);
    const out = s.step(eps, t, x).prevSample;
    const expected = x.map((xi, i) => {
      const x0 = (xi - Math.sqrt(1 - ac[t]) * eps[i]) / Math.sqrt(ac[t]);
      return Math.sqrt(ac[tNext]) * x0 + Math.sqrt(1 - ac[tNext]) * eps[i];
    });
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-5);
  });

  it('spaces timesteps like diffusers (linspace over n+1 points, last dropped)', () => {
    const s = make('dpm-solver-multistep');
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([999, 899, 799, 699, 599, 500, 400, 300, 200, 100]);
  });
});

describe('LCM', () => {
  it('picks timesteps from the 50-step distillation schedule', () => {
    const s = make('lcm');
    s.setTimesteps(4);
    expect(s.timesteps).toEqual([999, 759, 499, 259]);
  });
});

describe('img2img timestep rules', () => {
  const lcm = () => schedulerFromDiffusersConfig({ _class_name: 'LCMScheduler', steps_offset: 1, original_inference_steps: 50 });

  it("LCM model + LCM scheduler: LatentConsistencyModelImg2ImgPipeline's rule (all n steps, schedule shortened by strength)", () => {
    expect(img2imgSchedule('lcm', true)).toBe('lcm');
    const t = timestepsForStrength(lcm(), 4, 0.5, 'lcm');
    // origin = (1..25)·20 − 1 reversed; indices ⌊linspace(0, 25, 4, endpoint=False)⌋ = 0, 6, 12, 18
    expect(t.timesteps).toEqual([499, 379, 259, 139]);
    expect(t.latentTimestep).toBe(499);
    expect(img2imgStepCount('lcm', 4, 0.5)).toBe(4);
  });

  it("an ordinary UNet under the LCM scheduler keeps StableDiffusionImg2ImgPipeline's rule", () => {
    expect(img2imgSchedule('lcm', false)).toBe('sd');
    expect(img2imgSchedule('ddim', true)).toBe('sd');
    const t = timestepsForStrength(lcm(), 4, 0.5);
    expect(t.timesteps).toEqual([499, 259]);
    expect(img2imgStepCount('sd', 4, 0.5)).toBe(2);
    expect(() => timestepsForStrength(schedulerFromDiffusersConfig({ _class_name: 'DDIMScheduler' }), 4, 0.5, 'lcm')).toThrow(/need the LCM scheduler/);
  });
});
