// Leave-one-out (jackknife) values of every bootstrap metric for one model, for the BCa
// acceleration. Done in O(n) after the one sort, not n re-evaluations:
// - count metrics: dropping an image changes one cell of the table by 1, so there are at
//   most four distinct leave-one-out tables;
// - AUROC: dropping positive i removes its placement (negatives below + ½ tied) from the
//   Mann–Whitney U, dropping a negative likewise (DeLong's structural components);
// - average precision: dropping an image in score group h shifts TP/(TP+FP) only for
//   groups at or after h, so prefix and suffix sums give every value.
import { metricsFromCounts, type ConfusionCounts } from '../metrics/confusion';
import { AUROC_ROW, AVERAGE_PRECISION_ROW, COUNT_METRICS, METRIC_COUNT } from './metric-set';
import type { PreparedSample } from './prepared-sample';

/** result[metric][i] = the metric on the sample without image i (NaN where undefined). */
export function jackknifeValues(sample: PreparedSample, modelIndex: number): Float64Array[] {
  const { order, sortedLabels, groupEnd, positiveGroups } = sample.models[modelIndex];
  const n = sample.n;
  const nPos = sample.positives.length, nNeg = sample.negatives.length;
  const result = Array.from({ length: METRIC_COUNT }, () => new Float64Array(n));
  const groupCount = groupEnd.length;

  const pos = new Float64Array(groupCount), cumPos = new Float64Array(groupCount), cumAll = new Float64Array(groupCount);
  let tp = 0, fp = 0;
  for (let g = 0, k = 0, runPos = 0, runAll = 0; g < groupCount; g++) {
    for (; k < groupEnd[g]; k++) {
      pos[g] += sortedLabels[k];
      runAll++;
    }
    runPos += pos[g];
    cumPos[g] = runPos;
    cumAll[g] = runAll;
    if (g + 1 === positiveGroups) {
      tp = runPos;
      fp = runAll - runPos;
    }
  }
  const table: ConfusionCounts = { tp, fp, fn: nPos - tp, tn: nNeg - fp };
  const without = (cell: keyof ConfusionCounts) => {
    const m = metricsFromCounts({ ...table, [cell]: table[cell] - 1 });
    return COUNT_METRICS.map((name) => m[name] ?? NaN);
  };
  const dropTp = table.tp > 0 ? without('tp') : null;
  const dropFp = table.fp > 0 ? without('fp') : null;
  const dropFn = table.fn > 0 ? without('fn') : null;
  const dropTn = table.tn > 0 ? without('tn') : null;

  let u = 0;
  for (let g = 0; g < groupCount; g++) {
    const neg = cumAll[g] - (g ? cumAll[g - 1] : 0) - pos[g];
    u += neg * (cumPos[g] - pos[g] + 0.5 * pos[g]);
  }

  // AP·P = Σ_g pos_g·cumPos_g/cumAll_g. Suffix sums of the same terms with one image fewer.
  const prefix = new Float64Array(groupCount + 1);
  for (let g = 0; g < groupCount; g++) prefix[g + 1] = prefix[g] + (pos[g] > 0 ? (pos[g] * cumPos[g]) / cumAll[g] : 0);
  const suffixWithoutNegative = new Float64Array(groupCount + 1);
  const suffixWithoutPositive = new Float64Array(groupCount + 1);
  for (let g = groupCount - 1; g >= 0; g--) {
    const shrunk = cumAll[g] - 1;
    suffixWithoutNegative[g] = suffixWithoutNegative[g + 1] + (pos[g] > 0 && shrunk > 0 ? (pos[g] * cumPos[g]) / shrunk : 0);
    suffixWithoutPositive[g] = suffixWithoutPositive[g + 1] + (pos[g] > 0 && shrunk > 0 ? (pos[g] * (cumPos[g] - 1)) / shrunk : 0);
  }

  for (let g = 0, k = 0; g < groupCount; g++) {
    const predictedPositive = g < positiveGroups;
    const neg = cumAll[g] - (g ? cumAll[g - 1] : 0) - pos[g];
    const negativesBelow = nNeg - (cumAll[g] - cumPos[g]);
    const positivesAbove = cumPos[g] - pos[g];
    const aurocWithoutPositive = (u - (negativesBelow + 0.5 * neg)) / ((nPos - 1) * nNeg);
    const aurocWithoutNegative = (u - (positivesAbove + 0.5 * pos[g])) / (nPos * (nNeg - 1));
    const sameGroupTerm = pos[g] > 1 ? ((pos[g] - 1) * (cumPos[g] - 1)) / (cumAll[g] - 1) : 0;
    const apWithoutPositive = (prefix[g] + sameGroupTerm + suffixWithoutPositive[g + 1]) / (nPos - 1);
    const apWithoutNegative = (prefix[g] + suffixWithoutNegative[g]) / nPos;
    for (; k < groupEnd[g]; k++) {
      const i = order[k];
      const isPositive = sortedLabels[k] === 1;
      const counts = isPositive ? (predictedPositive ? dropTp : dropFn) : predictedPositive ? dropFp : dropTn;
      for (let r = 0; r < COUNT_METRICS.length; r++) result[r][i] = counts![r];
      result[AUROC_ROW][i] = definedOrNaN(isPositive ? aurocWithoutPositive : aurocWithoutNegative);
      result[AVERAGE_PRECISION_ROW][i] = definedOrNaN(isPositive ? apWithoutPositive : apWithoutNegative);
    }
  }
  return result;
}

/** Division by an empty class gives ±Infinity or NaN; both mean "undefined". */
function definedOrNaN(x: number): number {
  return Number.isFinite(x) ? x : NaN;
}
