// The plain array + shape pair that crosses the boundaries between tokenizer, models,
// schedulers and pipeline. Always float32, row-major (NCHW for images and latents).
export interface FloatTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function floatTensor(data: Float32Array, shape: readonly number[]): FloatTensor {
  if (data.length !== elementCount(shape)) {
    throw new Error(`tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${elementCount(shape)}`);
  }
  return { data, shape };
}

/** Concatenates tensors along the batch (first) axis. */
export function concatBatch(parts: readonly FloatTensor[]): FloatTensor {
  const [first] = parts;
  const rest = first.shape.slice(1).join(',');
  for (const p of parts) {
    if (p.shape.slice(1).join(',') !== rest) throw new Error('concatBatch: trailing shapes differ');
  }
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { data, shape: [parts.reduce((n, p) => n + p.shape[0], 0), ...first.shape.slice(1)] };
}
