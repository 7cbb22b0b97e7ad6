// Memorisation and diversity checks on Inception pooled features.
// A synthetic image whose nearest real training image is much closer than real images are
// to each other is a near-copy: the generator reproduced its input (img2img at low
// strength) or memorised a training image. The reference scale is the median
// nearest-neighbour distance among the real training images themselves.
import { squaredDistance, type FeatureSet } from './feature-stats';

export interface NearestReal {
  /** index into the real set */
  index: number;
  distance: number;
  /** distance / median real-to-real nearest-neighbour distance */
  relative: number;
  nearCopy: boolean;
}

export interface MemorisationReport {
  perImage: NearestReal[];
  medianRealNnDistance: number;
  threshold: number;
  nearCopies: number;
}

/** `factor`: a synthetic image is a near-copy when its NN distance < factor × the real median NN distance. */
export function memorisationCheck(synthetic: FeatureSet, real: FeatureSet, factor = 0.25): MemorisationReport {
  if (synthetic.d !== real.d) throw new Error('memorisation check: feature sizes differ');
  if (real.n < 2) throw new Error('memorisation check needs at least 2 real images');
  const d = real.d;
  const realNn: number[] = [];
  for (let i = 0; i < real.n; i++) {
    let best = Infinity;
    for (let j = 0; j < real.n; j++) if (j !== i) best = Math.min(best, squaredDistance(real.features, i * d, real.features, j * d, d));
    realNn.push(Math.sqrt(best));
  }
  const medianRealNnDistance = median(realNn);
  const threshold = factor * medianRealNnDistance;
  const perImage: NearestReal[] = [];
  for (let i = 0; i < synthetic.n; i++) {
    let best = Infinity;
    let index = -1;
    for (let j = 0; j < real.n; j++) {
      const s = squaredDistance(synthetic.features, i * d, real.features, j * d, d);
      if (s < best) {
        best = s;
        index = j;
      }
    }
    const distance = Math.sqrt(best);
    perImage.push({ index, distance, relative: medianRealNnDistance > 0 ? distance / medianRealNnDistance : Infinity, nearCopy: distance < threshold });
  }
  return { perImage, medianRealNnDistance, threshold, nearCopies: perImage.filter((p) => p.nearCopy).length };
}

/**
 * Mean pairwise Euclidean feature distance within a set. Reported for the synthetic set
 * beside the real positives: a ratio well below 1 means the generator collapses to few modes.
 */
export function meanPairwiseDistance(set: FeatureSet): number {
  if (set.n < 2) return 0;
  let s = 0;
  let count = 0;
  for (let i = 0; i < set.n; i++)
    for (let j = i + 1; j < set.n; j++) {
      s += Math.sqrt(squaredDistance(set.features, i * set.d, set.features, j * set.d, set.d));
      count++;
    }
  return s / count;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
