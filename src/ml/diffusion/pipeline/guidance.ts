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
