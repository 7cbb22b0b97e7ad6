export { binaryMetrics, type BinaryMetrics } from './binary-metrics';
export { confusionCounts, metricsFromCounts, type ConfusionCounts, type CountMetrics } from './confusion';
export { auroc, aurocFromGroups } from './auroc';
export { averagePrecision, averagePrecisionFromGroups } from './average-precision';
export { rocCurve, precisionRecallCurve, type RocCurve, type PrecisionRecallCurve } from './curves';
export { clopperPearson, type Interval } from './clopper-pearson';
export { groupByScore, orderByScoreDescending, type ScoreGroups } from './score-groups';
export {
  fixedThreshold,
  youdenThreshold,
  targetSensitivityThreshold,
  resolveThreshold,
  describeThreshold,
  type ThresholdPolicy,
  type ThresholdDescriptor,
  type FixedThreshold,
  type YoudenThreshold,
  type TargetSensitivityThreshold,
} from './thresholds';
