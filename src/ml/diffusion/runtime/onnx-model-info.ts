// Reads what the runtime must know about an ONNX file *before* creating a session: the
// graph's declared inputs/outputs, whether it computes in float16 (needs the WebGPU
// feature shader-f16), which external-data files its initializers point to (their names
// differ between exporters: model.onnx_data, weights.pb, …), and which operators it uses.
// Creating a session first would be too late: an fp16 graph on an adapter without
// shader-f16 fails with an opaque kernel error, and a missing external file with a
// wasm-side "file not found".
//
// A minimal protobuf walk over onnx.proto3 field numbers (ModelProto, GraphProto,
// TensorProto, ValueInfoProto, NodeProto). Tensor payloads (raw_data etc.) are skipped
// by length, so scanning a 500 MB text encoder costs one pass over its field headers.

export const ONNX_FLOAT = 1;
export const ONNX_FLOAT16 = 10;
export const ONNX_BFLOAT16 = 16;

const ELEM_TYPE_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
  21: 'uint4',
  22: 'int4',
};

export function onnxElemTypeName(t: number): string {
  return ELEM_TYPE_NAMES[t] ?? `type${t}`;
}

export interface OnnxValueInfo {
  name: string;
  elemType: string;
  /** numbers for fixed dims, strings for symbolic ones */
  dims: (number | string)[];
}

export interface OnnxModelInfo {
  opsetVersion: number | undefined;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** initializer count per element type name */
  initializerTypes: Record<string, number>;
  /** distinct `location` values of external-data initializers, in first-seen order */
  externalDataFiles: string[];
  /** distinct operator types of the main graph */
  opTypes: string[];
  /** true when any graph input, output or initializer is float16/bfloat16 */
  usesFloat16: boolean;
}

export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    // Numbers above 2^53 only appear in fields we skip or never compare exactly.
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OnnxFormatError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new OnnxFormatError('varint longer than 10 bytes');
  }
  /** Reads a tag; returns [field, wireType]. */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t % 8];
  }
  /** A length-delimited sub-range. */
  sub(): Reader {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new OnnxFormatError(`length-delimited field of ${len} bytes runs past the end`);
    this.pos += len;
    return new Reader(this.buf, start, start + len);
  }
  string(): string {
    const r = this.sub();
    return new TextDecoder().decode(this.buf.subarray(r.pos, r.end));
  }
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.sub();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new OnnxFormatError(`unsupported protobuf wire type ${wire}`);
    }
  }
}

function readValueInfo(r: Reader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 'unknown', dims: [] };
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) info.name = r.string();
    else if (f === 2 && w === 2) {
      const type = r.sub();
      while (!type.done) {
        const [tf, tw] = type.tag();
        if (tf !== 1 || tw !== 2) {
          type.skip(tw);
          continue;
        }
        const tensorType = type.sub();
        while (!tensorType.done) {
          const [ef, ew] = tensorType.tag();
          if (ef === 1 && ew === 0) info.elemType = onnxElemTypeName(tensorType.varint());
          else if (ef === 2 && ew === 2) {
            const shape = tensorType.sub();
            while (!shape.done) {
              const [sf, sw] = shape.tag();
              if (sf !== 1 || sw !== 2) {
                shape.skip(sw);
                continue;
              }
              const dim = shape.sub();
              let value: number | string = '?';
              while (!dim.done) {
                const [df, dw] = dim.tag();
                if (df === 1 && dw === 0) value = dim.varint();
                else if (df === 2 && dw === 2) value = dim.string();
                else dim.skip(dw);
              }
              info.dims.push(value);
            }
          } else tensorType.skip(ew);
        }
      }
    } else r.skip(w);
  }
  return info;
}

interface InitializerInfo {
  dataType: number;
  externalLocation: string | undefined;
}

function readTensorHeader(r: Reader): InitializerInfo {
  let dataType = 0;
  let externalLocation: string | undefined;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 2 && w === 0) dataType = r.varint();
    else if (f === 13 && w === 2) {
      const entry = r.sub();
      let key = '';
      let value = '';
      while (!entry.done) {
        const [ef, ew] = entry.tag();
        if (ef === 1 && ew === 2) key = entry.string();
        else if (ef === 2 && ew === 2) value = entry.string();
        else entry.skip(ew);
      }
      if (key === 'location') externalLocation = value;
    } else r.skip(w);
  }
  return { dataType, externalLocation };
}

function readNodeOpType(r: Reader): string {
  let op = '';
  let domain = '';
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 4 && w === 2) op = r.string();
    else if (f === 7 && w === 2) domain = r.string();
    else r.skip(w);
  }
  return domain && domain !== 'ai.onnx' ? `${domain}.${op}` : op;
}

/** Scans a serialized ONNX ModelProto. Throws OnnxFormatError when it is not one. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const info: OnnxModelInfo = {
    opsetVersion: undefined,
    inputs: [],
    outputs: [],
    initializerTypes: {},
    externalDataFiles: [],
    opTypes: [],
    usesFloat16: false,
  };
  const model = new Reader(bytes);
  let sawGraph = false;
  const ops = new Set<string>();
  const initializerNames = new Set<string>();
  try {
    while (!model.done) {
      const [f, w] = model.tag();
      if (f === 8 && w === 2) {
        const opset = model.sub();
        let domain = '';
        let version = 0;
        while (!opset.done) {
          const [of, ow] = opset.tag();
          if (of === 1 && ow === 2) domain = opset.string();
          else if (of === 2 && ow === 0) version = opset.varint();
          else opset.skip(ow);
        }
        if (domain === '' || domain === 'ai.onnx') info.opsetVersion = version;
      } else if (f === 7 && w === 2) {
        sawGraph = true;
        const graph = model.sub();
        const inputs: OnnxValueInfo[] = [];
        while (!graph.done) {
          const [gf, gw] = graph.tag();
          if (gf === 1 && gw === 2) ops.add(readNodeOpType(graph.sub()));
          else if (gf === 5 && gw === 2) {
            // Initializer names are read separately: ONNX IR < 4 lists initializers among the inputs.
            const sub = graph.sub();
            const header = readTensorHeader(new Reader(sub.buf, sub.pos, sub.end));
            const nameReader = new Reader(sub.buf, sub.pos, sub.end);
            while (!nameReader.done) {
              const [nf, nw] = nameReader.tag();
              if (nf === 8 && nw === 2) initializerNames.add(nameReader.string());
              else nameReader.skip(nw);
            }
            const typeName = onnxElemTypeName(header.dataType);
            info.initializerTypes[typeName] = (info.initializerTypes[typeName] ?? 0) + 1;
            if (header.externalLocation !== undefined && !info.externalDataFiles.includes(header.externalLocation)) {
              info.externalDataFiles.push(header.externalLocation);
            }
          } else if (gf === 11 && gw === 2) inputs.push(readValueInfo(graph.sub()));
          else if (gf === 12 && gw === 2) info.outputs.push(readValueInfo(graph.sub()));
          else graph.skip(gw);
        }
        info.inputs = inputs.filter((i) => !initializerNames.has(i.name));
      } else model.skip(w);
    }
  } catch (e) {
    if (e instanceof OnnxFormatError) throw new OnnxFormatError(`not a readable ONNX model: ${e.message}`);
    throw e;
  }
  if (!sawGraph) throw new OnnxFormatError('not an ONNX model: no graph found');
  info.opTypes = [...ops].sort();
  const half = (t: string) => t === 'float16' || t === 'bfloat16';
  info.usesFloat16 =
    [...info.inputs, ...info.outputs].some((v) => half(v.elemType)) || Object.keys(info.initializerTypes).some(half);
  return info;
}

/** Operators ORT's WebGPU EP has no kernel for; ORT runs them on the CPU (STACK-NOTES.md). */
export const WEBGPU_CPU_FALLBACK_OPS = ['QLinearConv', 'ConvInteger', 'MatMulInteger'];
