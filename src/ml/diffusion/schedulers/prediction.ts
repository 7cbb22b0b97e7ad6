// Converting a model output to (x̂₀, ε̂) under the VP parameterisation, per element, with
// diffusers' float32 operation order. a = √ᾱ_t, b = √(1−ᾱ_t).
import type { PredictionType } from './config';
import { f32 } from './float32';

export function predictX0AndEps(
  type: PredictionType,
  modelOutput: number,
  sample: number,
  a: number,
  b: number,
): [x0: number, eps: number] {
  switch (type) {
    case 'epsilon':
      return [f32(f32(sample - f32(b * modelOutput)) / a), modelOutput];
    case 'sample':
      return [modelOutput, f32(f32(sample - f32(a * modelOutput)) / b)];
    case 'v_prediction':
      // Salimans & Ho 2022: v = a·ε − b·x₀
      return [f32(f32(a * sample) - f32(b * modelOutput)), f32(f32(a * modelOutput) + f32(b * sample))];
  }
}
