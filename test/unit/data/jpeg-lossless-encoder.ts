// A minimal lossless JPEG encoder (ITU-T T.81 Annex H: SOF3, one component, Huffman
// coded, no restart intervals, point transform 0), written for the tests from the
// standard so the JPEG Lossless transfer syntaxes are checked against an independent
// bitstream. Predictors 1–7 of Table H.1 are supported.

/** Code lengths per difference category SSSS 0..16: Table K.3 (luminance DC), extended to 16. */
const CODE_LENGTHS = [2, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

/** Canonical Huffman codes (Annex C) for CODE_LENGTHS, with the DHT BITS/HUFFVAL lists. */
function huffmanTable(): { codes: number[]; bits: number[]; values: number[] } {
  const bits = new Array<number>(16).fill(0);
  for (const l of CODE_LENGTHS) bits[l - 1]++;
  const values = CODE_LENGTHS.map((l, s) => ({ l, s })).sort((a, b) => a.l - b.l || a.s - b.s).map((e) => e.s);
  const codes = new Array<number>(17).fill(0);
  let code = 0;
  let len = CODE_LENGTHS[values[0]];
  for (const s of values) {
    code <<= CODE_LENGTHS[s] - len;
    len = CODE_LENGTHS[s];
    codes[s] = code++;
  }
  return { codes, bits, values };
}

class BitWriter {
  readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing (F.1.2.3)
    this.acc = 0;
    this.n = 0;
  }
  /** Pads the last byte with 1-bits (F.1.2.3). */
  finish(): number[] {
    while (this.n !== 0) this.write(1, 1);
    return this.bytes;
  }
}

function predict(sel: number, ra: number, rb: number, rc: number): number {
  switch (sel) {
    case 1: return ra;
    case 2: return rb;
    case 3: return rc;
    case 4: return ra + rb - rc;
    case 5: return ra + ((rb - rc) >> 1);
    case 6: return rb + ((ra - rc) >> 1);
    case 7: return (ra + rb) >> 1;
    default: throw new Error(`predictor ${sel}`);
  }
}

/** Encodes unsigned `precision`-bit samples (row-major) as a lossless JPEG stream. */
export function encodeLosslessJpeg(samples: ArrayLike<number>, width: number, height: number, precision: number, predictor = 1): Uint8Array {
  const { codes, bits, values } = huffmanTable();
  const out: number[] = [0xff, 0xd8];
  const u16 = (v: number) => out.push((v >> 8) & 0xff, v & 0xff);
  // SOF3: P, Y, X, Nf=1, C1=1, H1=V1=1, Tq1=0
  out.push(0xff, 0xc3);
  u16(11);
  out.push(precision);
  u16(height);
  u16(width);
  out.push(1, 1, 0x11, 0);
  // DHT: class 0 (DC/lossless), id 0
  out.push(0xff, 0xc4);
  u16(2 + 1 + 16 + values.length);
  out.push(0x00, ...bits, ...values);
  // SOS: Ns=1, Cs1=1, Td=Ta=0, Ss=predictor, Se=0, Ah=Al=0
  out.push(0xff, 0xda);
  u16(8);
  out.push(1, 1, 0x00, predictor, 0, 0);

  const w = new BitWriter();
  const at = (x: number, y: number) => samples[y * width + x];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // H.1.2.1: first sample 2^(P-1); first row predicts from the left, first column from above.
      let px: number;
      if (x === 0 && y === 0) px = 1 << (precision - 1);
      else if (y === 0) px = at(x - 1, 0);
      else if (x === 0) px = at(0, y - 1);
      else px = predict(predictor, at(x - 1, y), at(x, y - 1), at(x - 1, y - 1));
      // Differences are taken modulo 2^16 (H.1.2.1), in the range -32767..32768.
      let diff = (at(x, y) - px) & 0xffff;
      if (diff > 32768) diff -= 65536;
      const mag = Math.abs(diff);
      const ssss = diff === 0 ? 0 : mag === 32768 ? 16 : 32 - Math.clz32(mag);
      w.write(codes[ssss], CODE_LENGTHS[ssss]);
      // F.1.2.1.1 / H.1.2.2: negative differences append the low bits of diff - 1; none for SSSS 16.
      if (ssss > 0 && ssss < 16) w.write((diff > 0 ? diff : diff - 1) & ((1 << ssss) - 1), ssss);
    }
  }
  out.push(...w.finish(), 0xff, 0xd9);
  return new Uint8Array(out);
}
