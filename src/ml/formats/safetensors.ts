// Reader for the safetensors format (https://github.com/huggingface/safetensors):
// 8-byte little-endian u64 header length N, N bytes of JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {str: str}}, then the data;
// offsets are relative to the first byte after the header. Works on an in-memory buffer (the
// weight files we import are tens of MB); all validation happens in `parseSafetensors` so a bad
// file fails before any tensor is used, with a message that names the problem.

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range within the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** Where the bytes came from, used in error messages (file name or URL). */
  source: string;
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsEntry>;
  /** Absolute byte offset of the data section. */
  dataOffset: number;
  bytes: Uint8Array;
}

/** Headers above this are rejected as corrupt (real ones are KBs to a few MB; the spec caps at 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export function parseSafetensors(buffer: ArrayBuffer | Uint8Array, source = 'safetensors file'): SafetensorsFile {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${source}: ${msg}`);
  };
  if (bytes.byteLength < 8) fail(`truncated: ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) fail(`bad header: declared header length ${headerLength} bytes is implausible (not a safetensors file?)`);
  if (8 + headerLength > bytes.byteLength) {
    fail(`truncated: header needs ${headerLength} bytes but only ${bytes.byteLength - 8} follow the length field`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`bad header: not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail('bad header: JSON is not an object');

  const dataOffset = 8 + headerLength;
  const dataLength = bytes.byteLength - dataOffset;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  let maxEnd = 0;
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw && typeof raw === 'object') metadata = raw as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!info || typeof info !== 'object') fail(`bad header: entry "${name}" is not an object`);
    const dtype = info.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE)) fail(`bad header: tensor "${name}" has unsupported dtype ${JSON.stringify(info.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`bad header: tensor "${name}" has invalid shape ${JSON.stringify(shape)}`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      fail(`bad header: tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype];
    if (end - begin !== expected) {
      fail(`bad header: tensor "${name}" ${dtype}[${(shape as number[]).join(',')}] needs ${expected} bytes but data_offsets span ${end - begin}`);
    }
    maxEnd = Math.max(maxEnd, end);
    tensors.set(name, { name, dtype, shape: shape as number[], begin, end });
  }
  if (maxEnd > dataLength) {
    const culprit = [...tensors.values()].filter((t) => t.end > dataLength).sort((a, b) => a.begin - b.begin)[0];
    fail(
      `truncated or offsets out of range: tensor "${culprit.name}" ends at data byte ${culprit.end} but the file has only ` +
        `${dataLength} data bytes (file size ${bytes.byteLength}, expected at least ${dataOffset + maxEnd})`,
    );
  }
  // Overlapping tensors mean a corrupt or hand-edited header.
  const sorted = [...tensors.values()].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) fail(`bad header: tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap`);
  }
  return { source, metadata, tensors, dataOffset, bytes };
}

// IEEE half → float32 through lookup tables (Jeroen van der Zijp's method), ~10x faster than
// per-value bit fiddling for the ~22M weights of an Inception-V3.
let halfTables: { mantissa: Uint32Array; exponent: Uint32Array; offset: Uint16Array } | null = null;
function getHalfTables() {
  if (halfTables) return halfTables;
  const mantissa = new Uint32Array(2048);
  const exponent = new Uint32Array(64);
  const offset = new Uint16Array(64);
  for (let i = 1; i < 1024; i++) {
    let m = i << 13;
    let e = 0;
    while ((m & 0x00800000) === 0) {
      e -= 0x00800000;
      m <<= 1;
    }
    m &= ~0x00800000;
    e += 0x38800000;
    mantissa[i] = m | e;
  }
  for (let i = 1024; i < 2048; i++) mantissa[i] = 0x38000000 + ((i - 1024) << 13);
  for (let i = 1; i < 31; i++) exponent[i] = i << 23;
  exponent[31] = 0x47800000;
  exponent[32] = 0x80000000;
  for (let i = 33; i < 63; i++) exponent[i] = 0x80000000 + ((i - 32) << 23);
  exponent[63] = 0xc7800000;
  for (let i = 1; i < 64; i++) if (i !== 32) offset[i] = 1024;
  halfTables = { mantissa, exponent, offset };
  return halfTables;
}

export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const { mantissa, exponent, offset } = getHalfTables();
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i];
    const e = h >> 10;
    out[i] = mantissa[offset[e] + (h & 0x3ff)] + exponent[e];
  }
  return new Float32Array(out.buffer);
}

function bfloat16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halves[i] << 16;
  return new Float32Array(out.buffer);
}

/**
 * A fresh ArrayBuffer holding bytes [start, end) of `bytes`: aligned for typed-array views
 * (file offsets need not be). Copies explicitly because Node's Buffer (a Uint8Array subclass
 * that readFileSync returns) makes `slice` a view, whose `.buffer` is the whole file.
 */
export function copyBytes(bytes: Uint8Array, start: number, end: number): ArrayBuffer {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out.buffer;
}

function tensorBytes(file: SafetensorsFile, entry: SafetensorsEntry): ArrayBuffer {
  const start = file.dataOffset + entry.begin;
  return copyBytes(file.bytes, start, start + (entry.end - entry.begin));
}

/** The tensor's values as float32 (F32 copied, F16/BF16 widened exactly). Little-endian host assumed. */
export function readFloat32(file: SafetensorsFile, name: string): Float32Array {
  const entry = file.tensors.get(name);
  if (!entry) throw new SafetensorsError(`${file.source}: missing tensor "${name}"`);
  const raw = tensorBytes(file, entry);
  switch (entry.dtype) {
    case 'F32':
      return new Float32Array(raw);
    case 'F16':
      return float16ToFloat32(new Uint16Array(raw));
    case 'BF16':
      return bfloat16ToFloat32(new Uint16Array(raw));
    case 'F64':
      return Float32Array.from(new Float64Array(raw));
    default:
      throw new SafetensorsError(`${file.source}: tensor "${name}" has dtype ${entry.dtype}; expected F32, F16, BF16 or F64`);
  }
}
