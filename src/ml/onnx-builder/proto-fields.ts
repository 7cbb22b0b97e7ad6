// Top-level fields of one protobuf message, kept as byte ranges, for editing serialised
// ONNX models field by field (replace some initializers, add nodes) without decoding the
// rest: unknown and untouched fields are copied through byte for byte.

export interface ProtoField {
  field: number;
  wire: number;
  /** the whole encoded field (tag + payload) */
  raw: Uint8Array;
  /** payload of a length-delimited field */
  body?: Uint8Array;
  /** value of a varint field */
  value?: number;
}

export class ProtoFormatError extends Error {
  override name = 'ProtoFormatError';
}

function readVarint(buf: Uint8Array, at: number): [number, number] {
  let v = 0;
  let scale = 1;
  let pos = at;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ProtoFormatError('truncated varint');
    const b = buf[pos++];
    v += (b & 0x7f) * scale;
    if (!(b & 0x80)) return [v, pos];
    scale *= 128;
  }
  throw new ProtoFormatError('varint longer than 10 bytes');
}

export function protoFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    let tag: number;
    [tag, pos] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let body: Uint8Array | undefined;
    let value: number | undefined;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len: number;
      [len, pos] = readVarint(buf, pos);
      if (pos + len > buf.length) throw new ProtoFormatError(`field ${field}: ${len} bytes run past the end of the message`);
      body = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new ProtoFormatError(`unsupported protobuf wire type ${wire}`);
    if (pos > buf.length) throw new ProtoFormatError(`field ${field} runs past the end of the message`);
    out.push({ field, wire, raw: buf.subarray(start, pos), body, value });
  }
  return out;
}

export const protoString = (f: ProtoField | undefined): string | undefined => (f?.body ? new TextDecoder().decode(f.body) : undefined);

/** Values of a repeated int64 field, packed or not. */
export function protoInts(fields: ProtoField[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === 0) out.push(f.value!);
    else if (f.wire === 2) {
      let pos = 0;
      while (pos < f.body!.length) {
        let v: number;
        [v, pos] = readVarint(f.body!, pos);
        out.push(v);
      }
    }
  }
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
