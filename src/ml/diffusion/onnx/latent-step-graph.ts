// One denoising step after the UNet as a small ONNX graph, so it runs on the execution
// provider that holds the UNet's output: classifier-free guidance, the scheduler step
// (a LinearStep's coefficients, fed per step) and the next UNet input. With the UNet and
// this graph both leaving their outputs in GPU buffers, the latents stay on the GPU for
// the whole loop (runtime/device-denoise-loop.ts).
import { OnnxGraph, OnnxType } from '../../onnx-builder/onnx-graph';
import type { LinearStep } from '../schedulers';

export type StepGraphFloat = 'float32' | 'float16';

export interface StepGraphVariant {
  /** UNet batch [uncond, cond] combined by guidance (else batch 1) */
  cfg: boolean;
  /** x̂₀ is clamped (DDIM/LCM clip_sample) */
  clip: boolean;
  /** element type of the UNet output fed in */
  unetOutput: StepGraphFloat;
  /** element type of the next UNet input produced */
  unetInput: StepGraphFloat;
}

/** Positions in the `coef` input. */
const C = {
  guidance: 0,
  x0Sample: 1,
  x0Model: 2,
  clip: 3,
  epsSample: 4,
  epsModel: 5,
  denoisedSample: 6,
  denoisedX0: 7,
  prevSample: 8,
  prevDenoised: 9,
  prevEps: 10,
  prevHistory: 11,
  prevNoise: 12,
  nextDivisor: 13,
} as const;
export const STEP_COEF_COUNT = 14;

export function stepGraphKey(v: StepGraphVariant): string {
  return `${v.cfg ? 'cfg' : 'nocfg'}-${v.clip ? 'clip' : 'noclip'}-${v.unetOutput}-${v.unetInput}`;
}

/** The per-step coefficient vector for `stepGraphModel`. */
export function stepCoefficients(step: LinearStep, guidanceScale: number, nextDivisor: number): Float32Array {
  const c = new Float32Array(STEP_COEF_COUNT);
  c[C.guidance] = guidanceScale;
  c[C.x0Sample] = step.x0.sample;
  c[C.x0Model] = step.x0.model;
  c[C.clip] = step.x0.clip ?? 0;
  c[C.epsSample] = step.eps.sample;
  c[C.epsModel] = step.eps.model;
  c[C.denoisedSample] = step.denoised.sample;
  c[C.denoisedX0] = step.denoised.x0;
  c[C.prevSample] = step.prev.sample;
  c[C.prevDenoised] = step.prev.denoised;
  c[C.prevEps] = step.prev.eps;
  c[C.prevHistory] = step.prev.history;
  c[C.prevNoise] = step.prev.noise;
  c[C.nextDivisor] = nextDivisor;
  return c;
}

const onnxFloat = (t: StepGraphFloat) => (t === 'float16' ? OnnxType.float16 : OnnxType.float);

/**
 * Inputs: sample [1,C,H,W] f32 (the latents), unet_output [B,C,H,W], history [1,C,H,W] f32
 * (the previous denoised estimate, zeros before the first), noise [1,C,H,W] f32 (zeros when
 * the step draws none), coef [14] f32. Outputs: latents and denoised [1,C,H,W] f32, and
 * unet_input [B,C,H,W] = latents / nextDivisor, repeated for each CFG row.
 */
export function stepGraphModel(v: StepGraphVariant): Uint8Array {
  const g = new OnnxGraph(`latent_step_${stepGraphKey(v).replaceAll('-', '_')}`);
  const latent = [1, 'channels', 'height', 'width'];
  const batched = [v.cfg ? 2 : 1, 'channels', 'height', 'width'];
  const x = g.input('sample', OnnxType.float, latent);
  const raw = g.input('unet_output', onnxFloat(v.unetOutput), batched);
  const h = g.input('history', OnnxType.float, latent);
  const n = g.input('noise', OnnxType.float, latent);
  const coef = g.input('coef', OnnxType.float, [STEP_COEF_COUNT]);
  const k = (i: number) => g.node('Gather', [coef, g.i64(i)], { axis: 0 });
  const affine = (a: number, p: string, b: number, q: string) => g.node('Add', [g.node('Mul', [k(a), p]), g.node('Mul', [k(b), q])]);

  let m = v.unetOutput === 'float16' ? g.node('Cast', [raw], { to: OnnxType.float }) : raw;
  if (v.cfg) {
    // ε = ε_u + w·(ε_c − ε_u), rows ordered [uncond, cond] as in diffusers
    const row = (i: number) => g.node('Slice', [m, g.i64([i]), g.i64([i + 1]), g.i64([0])]);
    const u = row(0);
    m = g.node('Add', [u, g.node('Mul', [k(C.guidance), g.node('Sub', [row(1), u])])]);
  }
  let x0 = affine(C.x0Sample, x, C.x0Model, m);
  if (v.clip) x0 = g.node('Clip', [x0, g.node('Neg', [k(C.clip)]), k(C.clip)]);
  const eps = affine(C.epsSample, x, C.epsModel, m);
  const d = g.node('Identity', [affine(C.denoisedSample, x, C.denoisedX0, x0)], {}, 'denoised');
  const terms = [
    affine(C.prevSample, x, C.prevDenoised, d),
    g.node('Mul', [k(C.prevEps), eps]),
    g.node('Mul', [k(C.prevHistory), h]),
    g.node('Mul', [k(C.prevNoise), n]),
  ];
  const prev = g.node('Sum', terms, {}, 'latents');
  let next = g.node('Div', [prev, k(C.nextDivisor)]);
  if (v.cfg) next = g.node('Concat', [next, next], { axis: 0 });
  if (v.unetInput === 'float16') next = g.node('Cast', [next], { to: OnnxType.float16 });
  g.node('Identity', [next], {}, 'unet_input');

  g.output('latents', OnnxType.float, latent);
  g.output('denoised', OnnxType.float, latent);
  g.output('unet_input', onnxFloat(v.unetInput), batched);
  return g.toModel(17);
}
