export { normalCdf, normalQuantile, studentTCdf, studentTTwoSidedP, betaCdf, betaQuantile, binomialCdf } from './distributions';
export { logGamma, regularizedIncompleteBeta, regularizedGammaP, regularizedGammaQ, erfc } from './special-functions';
export type { PValue } from './p-value';
export { BOOTSTRAP_METRICS, type BootstrapMetric } from './metric-set';
export { prepareSample, type PreparedSample, type PreparedModel, type ModelScores } from './prepared-sample';
export { runResamples, resampleCounts, splitResampleRange, mergeReplicateBlocks, pointEstimates, replicatesOf, type ReplicateBlock, type ResampleOptions } from './resample-engine';
export { jackknifeValues } from './jackknife';
export { quantileSorted, percentileInterval, bcaInterval, jackknifeAcceleration } from './intervals';
export {
  bootstrapMetrics,
  summariseBootstrap,
  DEFAULT_RESAMPLES,
  type BootstrapOptions,
  type BootstrapResult,
  type MetricInterval,
  type MetricIntervals,
} from './bootstrap';
export {
  pairedBootstrap,
  summarisePairedBootstrap,
  bootstrapDifferencePValue,
  PAIRED_BOOTSTRAP_TEST,
  type MetricDifference,
  type MetricDifferences,
  type PairedBootstrapResult,
} from './paired-bootstrap';
export { mcnemarExact, mcnemarExactP, MCNEMAR_TEST, type McNemarResult } from './mcnemar';
export { delongTest, delongVariance, structuralComponents, DELONG_TEST, type DeLongResult, type StructuralComponents } from './delong';
export {
  meanAndSd,
  pairedTTest,
  wilcoxonSignedRankExact,
  compareAcrossSeeds,
  PAIRED_T_TEST,
  WILCOXON_EXACT_TEST,
  type MeanSd,
  type PairedTTestResult,
  type WilcoxonResult,
  type SeedComparison,
} from './across-seeds';
export { holmAdjust } from './holm';
