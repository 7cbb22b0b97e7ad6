// Classifier-free guidance (Ho & Salimans 2022): ε = ε_u + w·(ε_c − ε_u), with the
// UNet batch ordered [uncond, cond] as in diffusers.

/** [x] → [x, x] for the two CFG rows. */
export function duplicateBatch(latents: Float32Array): Float32Array {
  const out = new Float32Array(latents.length * 2);
  out.set(latents, 0);
  out.set(latents, latents.length);
  return out;
}

export function applyGuidance(output: Float32Array, guidanceScale: number): Float32Array {
  const half = output.length / 2;
  const guided = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const uncond = output[i];
    guided[i] = uncond + Math.fround(guidanceScale * Math.fround(output[half + i] - uncond));
  }
  return guided;
}

/**
 * The guidance-scale embedding a guidance-distilled UNet (LCM, Luo et al. 2023) takes as
 * `timestep_cond` instead of running CFG: diffusers' get_guidance_scale_embedding of
 * w = guidanceScale − 1, i.e. sinusoids of 1000·w, in float32 as torch computes them.
 */
export function guidanceScaleEmbedding(guidanceScale: number, dim: number): Float32Array {
  const w = Math.fround(Math.fround(guidanceScale - 1) * 1000);
  const half = Math.floor(dim / 2);
  const step = Math.fround(Math.fround(Math.log(10000)) / (half - 1));
  const out = new Float32Array(dim); // an odd width ends with one zero, as diffusers pads it
  for (let k = 0; k < half; k++) {
    const x = Math.fround(w * Math.fround(Math.exp(Math.fround(k * -step))));
    out[k] = Math.sin(x);
    out[half + k] = Math.cos(x);
  }
  return out;
}
