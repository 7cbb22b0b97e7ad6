// The metrics every bootstrap resample computes, in a fixed order (the row order of
// replicate blocks, so blocks from different workers line up).
import type { CountMetrics } from '../metrics/confusion';

export const BOOTSTRAP_METRICS = [
  'accuracy',
  'sensitivity',
  'specificity',
  'precision',
  'f1',
  'balancedAccuracy',
  'mcc',
  'kappa',
  'youden',
  'auroc',
  'averagePrecision',
] as const;

export type BootstrapMetric = (typeof BOOTSTRAP_METRICS)[number];

/** The count-based metrics in BOOTSTRAP_METRICS order (all but the two ranking metrics). */
export const COUNT_METRICS = BOOTSTRAP_METRICS.slice(0, 9) as readonly (keyof CountMetrics)[];
export const AUROC_ROW = BOOTSTRAP_METRICS.indexOf('auroc');
export const AVERAGE_PRECISION_ROW = BOOTSTRAP_METRICS.indexOf('averagePrecision');
export const METRIC_COUNT = BOOTSTRAP_METRICS.length;
