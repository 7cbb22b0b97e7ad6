// Quality of a synthetic set from Inception-V3 pooled features (2048-d, classifier worker):
// FID and KID against the real positive training images (the distribution the synthetic
// positives should match), diversity as mean pairwise distance beside the real positives'
// own, and memorisation against every real training image (img2img starts from real
// normals, so a near-copy of its own source is the likeliest failure). Pure: runs in the
// quality worker and in Node tests.
import { featureSet, frechetInceptionDistance, kernelInceptionDistance, meanPairwiseDistance, memorisationCheck } from '../../../core/quality';
import type { ImageId } from '../../../core/dataset/types';
import type { SynthesisQuality } from '../../../storage/synthetic-repo';

export interface QualityInput {
  d: number;
  /** row-major [syntheticIds.length × d] */
  synthetic: Float32Array;
  syntheticIds: ImageId[];
  /** every real training image of the task, row-major [realTrainIds.length × d] */
  realTrain: Float32Array;
  realTrainIds: ImageId[];
  /** rows of realTrain that are positives */
  realPositiveRows: number[];
  set: 'accepted' | 'all';
  features: SynthesisQuality['features'];
  /** KID subsets (default 100, as torch-fidelity) and seed */
  kidSubsets?: number;
  kidSeed?: number;
}

export function rowsOf(features: Float32Array, d: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, k) => out.set(features.subarray(r * d, (r + 1) * d), k * d));
  return out;
}

export function qualityReport(input: QualityInput, progress: (stage: string, done: number, total: number) => void = () => undefined): SynthesisQuality {
  const { d } = input;
  const synthetic = featureSet(input.synthetic, d);
  const realTrain = featureSet(input.realTrain, d);
  if (synthetic.n !== input.syntheticIds.length) throw new Error(`synthetic features: ${synthetic.n} rows for ${input.syntheticIds.length} ids`);
  if (realTrain.n !== input.realTrainIds.length) throw new Error(`real features: ${realTrain.n} rows for ${input.realTrainIds.length} ids`);
  if (synthetic.n < 2) throw new Error('quality needs at least 2 synthetic images');
  if (input.realPositiveRows.length < 2) throw new Error('quality needs at least 2 real positive training images');
  const realPositive = featureSet(rowsOf(input.realTrain, d, input.realPositiveRows), d);
  progress('FID', 0, 4);
  const fid = frechetInceptionDistance(synthetic, realPositive);
  progress('KID', 1, 4);
  const kid = kernelInceptionDistance(synthetic, realPositive, { subsets: input.kidSubsets ?? 100, seed: input.kidSeed ?? 0 });
  progress('diversity', 2, 4);
  const divSynthetic = meanPairwiseDistance(synthetic);
  const divReal = meanPairwiseDistance(realPositive);
  progress('memorisation', 3, 4);
  const mem = memorisationCheck(synthetic, realTrain);
  progress('done', 4, 4);
  return {
    computedAt: Date.now(),
    set: input.set,
    syntheticIds: input.syntheticIds,
    realPositiveCount: realPositive.n,
    realTrainCount: realTrain.n,
    fid: { fid: fid.fid, meanTerm: fid.meanTerm, traceTerm: fid.traceTerm },
    kid,
    diversity: { synthetic: divSynthetic, realPositive: divReal, ratio: divReal > 0 ? divSynthetic / divReal : NaN },
    memorisation: {
      medianRealNnDistance: mem.medianRealNnDistance,
      threshold: mem.threshold,
      nearCopies: mem.nearCopies,
      perImage: mem.perImage.map((p, k) => ({ syntheticId: input.syntheticIds[k], nearestRealId: input.realTrainIds[p.index], distance: p.distance, relative: p.relative, nearCopy: p.nearCopy })),
    },
    features: input.features,
  };
}
