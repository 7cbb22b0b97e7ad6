// Stored values → displayed 8-bit gray, following PS3.3 C.11: Modality LUT (LUT sequence,
// else Rescale Slope/Intercept), then VOI (window centre/width with its VOI LUT Function,
// else the VOI LUT sequence, else min–max of the modality values), then MONOCHROME1
// inversion. Computed once per distinct stored value through a lookup table.
import type { DicomImageAttributes, Lut } from './attributes';

function lutLookup(lut: Lut, x: number): number {
  const i = Math.round(x) - lut.firstMapped;
  return lut.data[i < 0 ? 0 : i >= lut.data.length ? lut.data.length - 1 : i];
}

/** Window functions of C.11.2.1.2 with output range [0, 255]. */
export function applyWindow(x: number, center: number, width: number, fn: DicomImageAttributes['voiLutFunction']): number {
  const ymax = 255;
  if (fn === 'SIGMOID') return ymax / (1 + Math.exp((-4 * (x - center)) / width));
  if (fn === 'LINEAR_EXACT') {
    if (x <= center - width / 2) return 0;
    if (x > center + width / 2) return ymax;
    return ((x - center) / width + 0.5) * ymax;
  }
  // LINEAR (C.11.2.1.2.1): the classic form with the -0.5 and width-1 offsets.
  if (x <= center - 0.5 - (width - 1) / 2) return 0;
  if (x > center - 0.5 + (width - 1) / 2) return ymax;
  return ((x - (center - 0.5)) / (width - 1) + 0.5) * ymax;
}

export function modalityValue(stored: number, attrs: DicomImageAttributes): number {
  return attrs.modalityLut ? lutLookup(attrs.modalityLut, stored) : stored * attrs.rescaleSlope + attrs.rescaleIntercept;
}

/** Which VOI step is applied; shown in the import details. */
export function voiDescription(attrs: DicomImageAttributes): string {
  if (attrs.window) return `window C=${attrs.window.center} W=${attrs.window.width} (${attrs.voiLutFunction})`;
  if (attrs.voiLut) return 'VOI LUT sequence';
  return 'min–max of modality values';
}

/** Gray samples (one per pixel) → 8-bit display values. */
export function renderGray8(samples: Int32Array, attrs: DicomImageAttributes): Uint8Array {
  let minStored = Infinity;
  let maxStored = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (v < minStored) minStored = v;
    if (v > maxStored) maxStored = v;
  }
  const out = new Uint8Array(samples.length);
  if (samples.length === 0) return out;

  let voi: (m: number) => number;
  if (attrs.window) {
    const { center, width } = attrs.window;
    voi = (m) => applyWindow(m, center, width, attrs.voiLutFunction);
  } else if (attrs.voiLut) {
    const lut = attrs.voiLut;
    // The LUT's output range is 0 .. 2^bits - 1 (PS3.3 C.11.2.1.1).
    const scale = 255 / (2 ** lut.bits - 1);
    voi = (m) => lutLookup(lut, m) * scale;
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    // Modality LUTs need not be monotonic: scan every stored value present in range.
    const step = attrs.modalityLut ? 1 : Math.max(1, maxStored - minStored);
    for (let s = minStored; s <= maxStored; s += step) {
      const m = modalityValue(s, attrs);
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
    voi = hi > lo ? (m) => ((m - lo) / (hi - lo)) * 255 : () => 0;
  }
  const invert = attrs.photometric === 'MONOCHROME1';
  const map = (s: number): number => {
    const y = Math.min(255, Math.max(0, Math.round(voi(modalityValue(s, attrs)))));
    return invert ? 255 - y : y;
  };

  const range = maxStored - minStored + 1;
  if (range <= 1 << 20) {
    const table = new Uint8Array(range);
    for (let s = 0; s < range; s++) table[s] = map(s + minStored);
    for (let i = 0; i < samples.length; i++) out[i] = table[samples[i] - minStored];
  } else {
    for (let i = 0; i < samples.length; i++) out[i] = map(samples[i]);
  }
  return out;
}
