// Makes a weight-only int8 (or 4-bit MatMul + int8) copy of a stored diffusion pipeline
// (ml/formats/onnx-quantize): the text encoder and the UNet — nearly all of SD-1.5's
// weights — shrink to about a quarter or less, for GPUs with little memory and for the
// 4 GB wasm heap. They are read from OPFS (external weights slice by slice), quantized in
// memory and written as one self-contained model.onnx each. The VAE stays in full
// precision: it is small, and it draws every pixel of the radiograph. Everything else is
// copied as a stream. The copy is a new local model; the original is kept.
import { formatBytes } from '../../core/format';
import { isCancellation } from '../../core/jobs';
import { checkDiffusersLayout } from '../../core/models/layout';
import { deleteModel, finalizePartial, getModel, modelFile, modelFileBytes, openPartial, saveModel, type StoredModel } from '../../storage/model-store';
import { quantizeWeightsInt8 } from '../formats/onnx-quantize';
import type { TaskContext } from './context';
import { FileHasher } from './hashing';
import { newLocalPipelineRecord } from './import-local';

export interface QuantizePipelineResult {
  modelId: string;
  resultIds: string[];
  /** per component: float32 weight bytes replaced and their int8 size */
  components: Record<string, { tensors: number; floatBytes: number; quantizedBytes: number }>;
  bytes: number;
}

export type QuantizedBits = 8 | 4;

/** 8: int8 QDQ weights everywhere; 4: MatMul weights 4-bit (MatMulNBits), the rest int8. */
export const quantizedCopyId = (id: string, bits: QuantizedBits) => `${id}-${bits === 8 ? 'int8' : 'q4'}`;

const WRITE_SLICE = 16 * 1024 * 1024;

/** Components whose weights are quantized; the rest are copied unchanged. */
export const QUANTIZED_COMPONENTS = ['text_encoder', 'unet'] as const;

/** Writes `chunks` as the copy's file `path`, hashing on the way; returns its size. */
async function writeFile(id: string, path: string, chunks: AsyncIterable<Uint8Array>, record: StoredModel, ctx: TaskContext): Promise<number> {
  const out = await openPartial(id, path);
  const hasher = new FileHasher(false);
  try {
    out.truncate(0);
    let at = 0;
    for await (const chunk of chunks) {
      out.write(chunk, at);
      hasher.update(chunk);
      at += chunk.byteLength;
      ctx.throwIfCancelled();
    }
    out.flush();
  } finally {
    out.close();
  }
  await finalizePartial(id, path);
  const d = hasher.digest();
  record.files[path] = { path, bytes: d.bytes, sha256: d.sha256, md5: null, complete: true, check: 'none' };
  await saveModel(record);
  return d.bytes;
}

async function* slices(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += WRITE_SLICE) yield bytes.subarray(at, Math.min(bytes.length, at + WRITE_SLICE));
}

/** A stored file as a stream: a >2 GB weights file cannot pass through one buffer. */
async function* streamOf(file: File): AsyncIterable<Uint8Array> {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

export async function quantizePipeline(sourceId: string, bits: QuantizedBits, ctx: TaskContext): Promise<QuantizePipelineResult> {
  const source = await getModel(sourceId);
  if (!source || source.status !== 'ready') throw new Error(`${sourceId} is not a stored, ready model`);
  if (source.kind !== 'diffusion-pipeline') throw new Error(`${source.name} is not a diffusion pipeline`);
  if (source.variant === 'fp16') throw new Error(`${source.name} has float16 weights; the int8 copy is made from float32 pipelines`);
  const id = quantizedCopyId(sourceId, bits);
  const what = bits === 8 ? 'int8' : '4-bit';
  if ((await getModel(id))?.status === 'ready') throw new Error(`a ${what} copy of ${source.name} is already stored (${id}); delete it first to make it again`);

  // Weight files next to a quantized component's model.onnx (weights.pb, model.onnx_data, …)
  // are read through the model's own external-data references and not copied.
  const isWeightData = (p: string) => QUANTIZED_COMPONENTS.some((c) => p.startsWith(`${c}/`)) && !p.endsWith('/model.onnx') && !p.endsWith('.json');
  const paths = Object.keys(source.files).filter((p) => !isWeightData(p));
  const layout = checkDiffusersLayout(paths);
  const name = `${source.name} — ${bits === 8 ? 'int8 weights' : '4-bit MatMul + int8 weights'} (made in this browser)`;
  const record = newLocalPipelineRecord(id, name, bits === 8 ? 'int8' : 'q4', layout);
  await saveModel(record);
  const result: QuantizePipelineResult = { modelId: id, resultIds: [id], components: {}, bytes: 0 };
  try {
    for (const [i, path] of paths.entries()) {
      const component = QUANTIZED_COMPONENTS.find((c) => path === `${c}/model.onnx`);
      ctx.progress('quantizing', i, paths.length, component ? `${component}: reading and quantizing the weights` : `copying ${path}`);
      if (!component) {
        result.bytes += await writeFile(id, path, streamOf(await modelFile(sourceId, path)), record, ctx);
        continue;
      }
      const q = await quantizeWeightsInt8(await modelFileBytes(sourceId, path), {
        matMul4Bit: bits === 4,
        readExternal: async (location, offset, length) => {
          ctx.throwIfCancelled();
          const file = await modelFile(sourceId, `${component}/${location}`);
          return new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
        },
      });
      result.components[component] = { tensors: q.tensors.length, floatBytes: q.floatBytes, quantizedBytes: q.quantizedBytes };
      ctx.progress('quantizing', i, paths.length, `${component}: ${q.tensors.length} weights, ${formatBytes(q.floatBytes)} → ${formatBytes(q.quantizedBytes)}`);
      result.bytes += await writeFile(id, path, slices(q.model), record, ctx);
    }
    if (Object.values(result.components).every((c) => c.tensors === 0)) {
      throw new Error('it has no float32 Conv/MatMul/Gemm weights to quantize (already quantized, or float16)');
    }
    record.status = 'ready';
    await saveModel(record);
    ctx.progress('quantizing', paths.length, paths.length, `${what} copy stored (${formatBytes(result.bytes)})`);
    return result;
  } catch (e) {
    // Half a copy is worth nothing: remove it, the source is untouched.
    await deleteModel(id).catch(() => undefined);
    if (isCancellation(e)) throw e;
    throw new Error(`Could not make the ${what} copy of ${source.name}: ${(e as Error).message}`, { cause: e });
  }
}
