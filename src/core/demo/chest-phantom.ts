// Procedural chest-radiograph-like images for the built-in demo (labelled synthetic-demo
// everywhere). Brighter = more attenuation, as on a radiograph: dark lung fields inside a
// soft-tissue thorax, mediastinum and heart, hemidiaphragm domes, posterior and anterior
// ribs, clavicles, vascular markings, film mottle and quantum noise. Positives add patchy
// airspace opacities inside the lung fields with controllable extent and contrast.
// Pure and seeded: the same parameters give the same pixels.
import { createRng, type Rng } from '../random';
import { rasterise, valueNoise } from './value-noise';

export interface PhantomParams {
  /** output is size × size pixels */
  size: number;
  seed: number;
  /** add pneumonia-like opacities */
  positive: boolean;
  /** how much of the lung fields the opacities cover, 0..1 (default 0.4) */
  opacityExtent?: number;
  /** how bright the opacities are, 0..1; 1 brings consolidated lung to soft-tissue level (default 0.6) */
  opacityContrast?: number;
}

export interface PhantomImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

interface Lung {
  cx: number;
  top: number;
  bottom: number;
  halfWidth: number;
  /** -1: lateral edge towards image left */
  side: -1 | 1;
}

interface Anatomy {
  tilt: number;
  bodyHalfWidth: number;
  neckHalfWidth: number;
  lungs: [Lung, Lung];
  heart: { cx: number; cy: number; rx: number; ry: number };
  domes: { cx: number; peak: number; drop: number; halfWidth: number }[];
  ribs: { spacing: number; start: number; rise: number; fall: number; width: number; strength: number };
  clavicle: { medialY: number; slope: number };
  exposure: number;
  noise: number;
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
const smoothstep = (a: number, b: number, x: number) => {
  const t = clamp01((x - a) / (b - a));
  return t * t * (3 - 2 * t);
};

function sampleAnatomy(rng: Rng): Anatomy {
  const j = (spread: number) => (rng.next() * 2 - 1) * spread;
  const bottom = 0.78 + j(0.03);
  return {
    tilt: j(0.025),
    bodyHalfWidth: 0.43 + j(0.025),
    neckHalfWidth: 0.11 + j(0.01),
    lungs: [
      // image left = the patient's right lung: a little wider, its dome a little higher
      { cx: 0.315 + j(0.012), top: 0.14 + j(0.015), bottom: bottom - 0.015, halfWidth: 0.16 + j(0.01), side: -1 },
      { cx: 0.69 + j(0.012), top: 0.15 + j(0.015), bottom, halfWidth: 0.15 + j(0.01), side: 1 },
    ],
    heart: { cx: 0.56 + j(0.02), cy: 0.63 + j(0.015), rx: 0.155 + j(0.02), ry: 0.12 + j(0.012) },
    domes: [
      { cx: 0.3, peak: bottom - 0.1 + j(0.01), drop: 0.11, halfWidth: 0.2 },
      { cx: 0.7, peak: bottom - 0.08 + j(0.01), drop: 0.11, halfWidth: 0.2 },
    ],
    ribs: { spacing: 0.058 + j(0.004), start: 0.13 + j(0.01), rise: 0.12 + j(0.02), fall: 0.34 + j(0.04), width: 0.015 + j(0.002), strength: 0.065 + j(0.015) },
    clavicle: { medialY: 0.2 + j(0.012), slope: 0.2 + j(0.04) },
    exposure: 0.95 + j(0.06),
    noise: 0.015 + rng.next() * 0.01,
  };
}

/** Lung membership 0..1: rounded apex, widening to the base, straighter medial border. */
function lungMask(l: Lung, u: number, v: number): number {
  if (v < l.top - 0.03 || v > l.bottom + 0.02) return 0;
  const t = clamp01((v - l.top) / (l.bottom - l.top));
  const half = l.halfWidth * (0.3 + 0.7 * Math.sqrt(t));
  const lateral = (u - l.cx) * l.side > 0;
  const dx = Math.abs(u - l.cx) / (lateral ? half * 1.08 : half * 0.92);
  const dy = v < l.top ? (l.top - v) / 0.03 : 0;
  return 1 - smoothstep(0.86, 1.0, Math.sqrt(dx * dx + dy * dy));
}

function domeY(d: Anatomy['domes'][number], u: number): number {
  const x = (u - d.cx) / d.halfWidth;
  return d.peak + d.drop * Math.min(1, x * x);
}

/** Opacity seeds: lobar/segmental centres, lower zones more often, as in pneumonia. */
function sampleOpacities(rng: Rng, a: Anatomy, extent: number): { u: number; v: number; r: number }[] {
  const count = 1 + Math.round(extent * 4);
  const blobs = [];
  for (let k = 0; k < count; k++) {
    const lung = a.lungs[rng.int(2)];
    const t = 0.3 + rng.next() * 0.6;
    blobs.push({
      u: lung.cx + (rng.next() * 2 - 1) * lung.halfWidth * 0.55,
      v: lung.top + t * (lung.bottom - lung.top),
      r: 0.04 + extent * 0.12 * (0.7 + rng.next() * 0.6),
    });
  }
  return blobs;
}

export function generatePhantom(params: PhantomParams): PhantomImage {
  const { size } = params;
  const rng = createRng(params.seed);
  const a = sampleAnatomy(rng);
  const mottle = rasterise(valueNoise(rng, 4, 3), 64);
  const vessels = rasterise(valueNoise(rng, 12, 2), 128);
  const patch = rasterise(valueNoise(rng, 6, 3), 128);
  const extent = clamp01(params.opacityExtent ?? 0.4);
  const contrast = clamp01(params.opacityContrast ?? 0.6);
  const blobs = params.positive ? sampleOpacities(rng, a, extent) : [];

  // Column-wise terms are precomputed: the anatomy is nearly axis-aligned (a small shear
  // models tilt), which keeps a 256-px image at a few milliseconds.
  const us = new Float64Array(size);
  for (let i = 0; i < size; i++) us[i] = (i + 0.5) / size;
  const hilumU = us.map((u) => Math.exp(-((Math.abs(u - 0.5) - 0.1) ** 2) / 0.003));
  const spineU = us.map((u) => 1 - smoothstep(0.025, 0.045, Math.abs(u - 0.5)));
  const mediastinumU = us.map((u) => 1 - smoothstep(0.055, 0.09, Math.abs(u - 0.51)));
  const domeU = [us.map((u) => domeY(a.domes[0], u)), us.map((u) => domeY(a.domes[1], u))];
  const bubbleV = a.domes[1].peak + 0.085;
  const gamma = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) gamma[i] = Math.round(255 * (i / 4095) ** 0.9);
  // Quantum noise: Irwin–Hall sum of the four bytes of one draw, near-Gaussian (sd 147.8)
  // at a quarter of the cost of Box–Muller, which dominated the generator's time.
  const noise = new Float32Array(size);
  const fillNoise = () => {
    for (let i = 0; i < size; i++) {
      const r = rng.nextUint32();
      noise[i] = ((r & 255) + ((r >>> 8) & 255) + ((r >>> 16) & 255) + (r >>> 24) - 510) / 147.8;
    }
  };
  const h = a.heart;
  const r = a.ribs;

  const px = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    fillNoise();
    const v0 = (y + 0.5) / size;
    // thorax outline: neck at the top, sloping shoulders, then the flanks
    const half = a.neckHalfWidth + (a.bodyHalfWidth - a.neckHalfWidth) * smoothstep(0.0, 0.17, v0) * (1 - 0.06 * smoothstep(0.6, 1, v0));
    for (let x = 0; x < size; x++) {
      const u = us[x];
      const v = v0 + a.tilt * (u - 0.5);
      const lateral = Math.abs(u - 0.5);
      const body = 1 - smoothstep(half - 0.025, half + 0.008, lateral);
      let I = 0.05 + body * (0.48 + 0.08 * smoothstep(half - 0.12, half - 0.01, lateral));

      if (body > 0) {
        // heart: soft tissue that hides the lung behind it, merging with the mediastinum
        const hx = (u - h.cx) / h.rx, hy = (v - h.cy) / h.ry;
        const heart = 1 - smoothstep(0.75, 1.05, hx * hx + hy * hy);

        // lung fields, bounded below by the hemidiaphragm domes
        let lung = 0;
        for (let i = 0; i < 2; i++) {
          const m = lungMask(a.lungs[i], u, v);
          if (m > 0) lung = Math.max(lung, m * (1 - smoothstep(domeU[i][x] - 0.01, domeU[i][x] + 0.01, v)));
        }
        lung *= 1 - 0.85 * heart;
        lung *= 1 - mediastinumU[x];

        // vascular markings: branching-looking texture, dense at the hila, sparse at the periphery
        const hv = v - 0.47;
        const hilum = hilumU[x] > 1e-3 && hv * hv < 0.1 ? hilumU[x] * Math.exp(-(hv * hv) / 0.012) : 0;
        const ridge = 1 - Math.abs(vessels.at(u, v));
        const markings = ridge * ridge * ridge * ridge * 0.12 * (1 - lateral * 1.4);
        I -= lung * (0.34 - 0.12 * hilum - markings);

        // mediastinum, spine behind it, heart
        I += body * (0.08 * mediastinumU[x] + 0.05 * spineU[x] * (1 - heart) + 0.04 * heart);

        // gastric air under the left dome
        const bv = v - bubbleV, bu = u - 0.67;
        if (bv * bv + bu * bu < 0.01) I -= 0.1 * Math.exp(-(bu * bu) / 0.002 - (bv * bv) / 0.0006);

        // posterior ribs: arches from the spine that rise, then fall along the chest wall
        const s = (lateral - 0.04) / (half - 0.04);
        if (s > 0 && s < 1.02) {
          const phase = (v - r.start + r.rise * s - r.fall * s * s) / r.spacing;
          const k = Math.round(phase);
          if (k >= 0 && k < 10) {
            const dist = Math.abs(phase - k) * r.spacing;
            const band = 1 - smoothstep(r.width * 0.5, r.width, dist);
            const c = (dist - r.width * 0.72) / (r.width * 0.22);
            const cortex = c * c < 1 ? 1 - c * c : 0;
            const thorax = 1 - smoothstep(domeU[u < 0.5 ? 0 : 1][x] - 0.02, domeU[u < 0.5 ? 0 : 1][x] + 0.06, v);
            I += thorax * body * (r.strength * band + 0.035 * cortex) * (0.15 + 0.85 * lung);
          }
          // anterior ribs: faint bands running down towards the midline
          const pa = (v - 0.2 - 0.35 * (1 - s) * 0.3 + 0.12 * s) / (r.spacing * 1.15);
          const ka = Math.round(pa);
          if (ka >= 0 && ka < 6) {
            const da = Math.abs(pa - ka) * r.spacing * 1.15;
            I += 0.03 * lung * (1 - smoothstep(r.width * 0.4, r.width * 0.9, da));
          }
        }

        // clavicles: from the sternal notch out and up to the shoulders
        if (lateral > 0.045 && lateral < 0.36) {
          const cv = a.clavicle.medialY - a.clavicle.slope * (lateral - 0.045) + 0.012 * Math.sin((lateral - 0.045) * 20);
          const thick = 0.011 + 0.006 * (lateral / 0.36);
          const dc = Math.abs(v - cv);
          const ends = smoothstep(0.045, 0.08, lateral) * (1 - smoothstep(0.3, 0.36, lateral));
          I += ends * body * (0.11 * (1 - smoothstep(thick * 0.6, thick, dc)) + 0.04 * (1 - smoothstep(0, thick * 0.3, Math.abs(dc - thick * 0.75))));
        }

        // pneumonia-like opacities: blobs broken into patches, only inside the lungs
        if (blobs.length > 0 && lung > 0.01) {
          let op = 0;
          for (const b of blobs) {
            const d2 = ((u - b.u) ** 2 + (v - b.v) ** 2) / (b.r * b.r);
            if (d2 < 6) op = Math.max(op, Math.exp(-d2));
          }
          if (op > 0.01) {
            const patchy = smoothstep(-0.15, 0.25, patch.at(u, v) + 0.9 * op - 0.45);
            I += lung * contrast * 0.42 * op * patchy;
          }
        }
      }

      // film mottle, exposure, quantum noise
      I = I * a.exposure + 0.025 * mottle.at(u, v) + a.noise * noise[x];
      px[y * size + x] = gamma[Math.round(4095 * clamp01(I))];
    }
  }
  return { width: size, height: size, pixels: px };
}
