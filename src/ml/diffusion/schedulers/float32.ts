// Helpers that reproduce the float32 and numpy arithmetic diffusers' numbers come from.

export const f32 = Math.fround;

/** numpy's round(): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.linspace(start, stop, num, endpoint) in float64: i·step + start, last = stop exactly. */
export function linspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num;
  const step = (stop - start) / div;
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/**
 * torch.linspace(start, end, steps, dtype=float32) as the torch 1.13 CPU kernel computes
 * it: float32 step, the first half counted up from `start` and the second half down from
 * `end`, in 8-lane vectors (AVX2) of `base + j·step` with the last partial block scalar.
 * The base is formed with a fused multiply-add. This reproduces diffusers' betas in the
 * fixtures bit-exactly; the plain formula differs by 1 ulp in about a quarter of them.
 */
export function torchLinspaceF32(startValue: number, endValue: number, steps: number): Float32Array {
  const start = f32(startValue);
  const end = f32(endValue);
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = f32(f32(end - start) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  const scalarAt = (k: number) => (k < halfway ? f32(start + step * k) : f32(end - step * (steps - k - 1)));
  const lanes = 8;
  const vectorEnd = steps - (steps % (2 * lanes));
  for (let i = 0; i < steps; i++) {
    if (i >= vectorEnd) {
      out[i] = scalarAt(i);
    } else {
      const j = i % lanes;
      out[i] = f32(scalarAt(i - j) + f32(j * step));
    }
  }
  return out;
}

/** torch.cumprod on CPU accumulates float32 inputs in double and stores float32. */
export function cumprodF32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let acc = 1;
  for (let i = 0; i < values.length; i++) {
    acc *= values[i];
    out[i] = acc;
  }
  return out;
}
