// Reads a session's declared inputs (names, element types, shapes: ORT ≥ 1.21 exposes
// `inputMetadata`) and builds feeds in the dtype and rank each input asks for, so the
// wrappers work with exports that differ in int32/int64 ids, float16/float32 tensors, or
// scalar/[1]/[batch] timesteps. Errors name the component, the input and what was found.
import type { FloatTensor } from '../tensor';
import { float16BitsToFloat32, toFloat16Bits } from './float16';
import type { OrtRuntime, OrtSession, OrtTensor, OrtTensorType } from './ort-types';

export interface InputSpec {
  name: string;
  /** Element type, or undefined when the runtime does not expose metadata. */
  type: OrtTensorType | undefined;
  /** Declared dims: numbers are fixed, strings/-1 are dynamic; undefined when unknown. */
  shape: readonly (number | string)[] | undefined;
}

export class OnnxInputError extends Error {
  override name = 'OnnxInputError';
}

const FLOAT_TYPES: readonly string[] = ['float32', 'float16', 'float64'];
const INT_TYPES: readonly string[] = ['int64', 'int32'];

export class SessionIo {
  readonly inputs: ReadonlyMap<string, InputSpec>;

  constructor(
    private readonly ort: OrtRuntime,
    readonly session: OrtSession,
    readonly component: string,
  ) {
    const metadata = new Map<string, InputSpec>();
    const declared = (session as Partial<Pick<OrtSession, 'inputMetadata'>>).inputMetadata ?? [];
    for (const m of declared) {
      metadata.set(m.name, m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: undefined, shape: undefined });
    }
    this.inputs = new Map(session.inputNames.map((n) => [n, metadata.get(n) ?? { name: n, type: undefined, shape: undefined }]));
  }

  private describe(): string {
    return [...this.inputs.values()]
      .map((s) => `${s.name}${s.type ? `: ${s.type}` : ''}${s.shape ? ` [${s.shape.join(', ')}]` : ''}`)
      .join(', ');
  }

  /** The first of `candidates` the model declares; throws naming the missing input. */
  requireInput(candidates: readonly string[], expectedKind: 'float' | 'int' | 'number'): InputSpec {
    const spec = candidates.map((c) => this.inputs.get(c)).find((s) => s !== undefined);
    if (!spec) {
      throw new OnnxInputError(
        `${this.component} model has no input ${candidates.map((c) => `'${c}'`).join(' or ')} (its inputs: ${this.describe()}). ` +
          `Is this file the ${this.component}?`,
      );
    }
    const allowed = expectedKind === 'float' ? FLOAT_TYPES : expectedKind === 'int' ? INT_TYPES : [...FLOAT_TYPES, ...INT_TYPES];
    if (spec.type && !allowed.includes(spec.type)) {
      throw new OnnxInputError(`${this.component} input '${spec.name}' has element type ${spec.type}; expected one of ${allowed.join(', ')}`);
    }
    return spec;
  }

  /** Fails when the model declares inputs this wrapper does not know how to feed. */
  rejectUnknownInputs(known: readonly string[]): void {
    const unknown = [...this.inputs.keys()].filter((n) => !known.includes(n));
    if (unknown.length > 0) {
      throw new OnnxInputError(
        `${this.component} model needs input(s) ${unknown.map((n) => `'${n}'`).join(', ')} that this pipeline does not provide ` +
          `(its inputs: ${this.describe()})`,
      );
    }
  }

  /** Checks fixed dims of the declared shape against `dims`. */
  checkDims(spec: InputSpec, dims: readonly number[]): void {
    if (!spec.shape) return;
    const fixedMismatch = spec.shape.some((d, i) => typeof d === 'number' && d >= 0 && d !== dims[i]);
    if (spec.shape.length !== dims.length || fixedMismatch) {
      throw new OnnxInputError(
        `${this.component} input '${spec.name}' is declared [${spec.shape.join(', ')}] but got [${dims.join(', ')}]`,
      );
    }
  }

  /** A tensor for `spec` from float values, converted to the declared element type. */
  tensor(spec: InputSpec, values: ArrayLike<number>, dims: readonly number[]): OrtTensor {
    const type = spec.type ?? 'float32';
    const { Tensor } = this.ort;
    switch (type) {
      case 'float32':
        return new Tensor('float32', values instanceof Float32Array ? values : Float32Array.from(values), dims);
      case 'float16':
        return new Tensor('float16', toFloat16Bits(values), dims);
      case 'float64':
        return new Tensor('float64', Float64Array.from(values), dims);
      case 'int64':
        // numpy's float→int64 cast truncates; diffusers' ONNX pipelines rely on it.
        return new Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v)))), dims);
      case 'int32':
        return new Tensor('int32', Int32Array.from(values, Math.trunc), dims);
      default:
        throw new OnnxInputError(`${this.component} input '${spec.name}' has unsupported element type ${type}`);
    }
  }

  async run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    return this.session.run(feeds);
  }

  /** Output `preferred` (or the first output) as float32, with its dims. */
  outputOf(results: Record<string, OrtTensor>, preferred: readonly string[]): FloatTensor {
    const name = preferred.find((n) => n in results) ?? this.session.outputNames[0];
    const t = results[name];
    if (!t) throw new Error(`${this.component} produced no output '${name}'`);
    return { data: toFloat32(t), shape: t.dims.slice() };
  }

  /**
   * Output `preferred` (or the first output) as ORT returned it, possibly in a GPU buffer
   * (`preferredOutputLocation: 'gpu-buffer'`). Other GPU outputs in `results` are freed,
   * since nobody else holds them.
   */
  takeOutput(results: Record<string, OrtTensor>, preferred: readonly string[]): OrtTensor {
    const name = preferred.find((n) => n in results) ?? this.session.outputNames[0];
    const t = results[name];
    if (!t) throw new Error(`${this.component} produced no output '${name}'`);
    for (const [other, o] of Object.entries(results)) if (other !== name && o.location === 'gpu-buffer') o.dispose();
    return t;
  }

  /** Like outputOf, but also reads (and frees) an output the session left on the GPU. */
  async outputOfAsync(results: Record<string, OrtTensor>, preferred: readonly string[]): Promise<FloatTensor> {
    const t = this.takeOutput(results, preferred);
    return { data: await readFloat32(t, true), shape: t.dims.slice() };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** A tensor's values as float32, downloaded when it lives on the GPU (`release` frees that buffer after). */
export async function readFloat32(t: OrtTensor, release: boolean): Promise<Float32Array> {
  if (t.location === 'cpu' || t.location === 'cpu-pinned') return toFloat32(t);
  const data = await t.getData(release);
  return toFloat32({ type: t.type, data, location: 'cpu' } as OrtTensor);
}

export function toFloat32(t: OrtTensor): Float32Array {
  const data = t.data;
  if (t.type === 'float16' && data instanceof Uint16Array) {
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = float16BitsToFloat32(data[i]);
    return out;
  }
  if (data instanceof Float32Array) return data;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new Error(`cannot read ${t.type} output (location ${t.location}) as float32`);
}
