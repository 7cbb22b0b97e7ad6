// The report model: everything the page and the exports show, recomputed from the
// per-image labels and scores of a parsed report. Results carried in the file are never
// read. Bootstrap intervals are slow, so they are computed separately (stats.ts, in a
// worker) and joined in by tables.ts; everything here is fast and synchronous.
import {
  binaryMetrics,
  describeThreshold,
  precisionRecallCurve,
  resolveThreshold,
  rocCurve,
  type BinaryMetrics,
  type PrecisionRecallCurve,
  type RocCurve,
  type ThresholdDescriptor,
} from '../core/metrics';
import { BOOTSTRAP_METRICS, compareAcrossSeeds, delongTest, mcnemarExact, meanAndSd, type BootstrapMetric, type DeLongResult, type McNemarResult, type MeanSd, type SeedComparison } from '../core/stats';
import { imbalanceRatio, type Report, type Run, type Task } from '../core/report';

export interface RunModel {
  id: string;
  /** the arm as written in the report, e.g. 'baseline' */
  arm: string;
  seed: number;
  config: Record<string, unknown>;
  threshold: ThresholdDescriptor;
  thresholdText: string;
  metrics: BinaryMetrics;
  roc: RocCurve | null;
  pr: PrecisionRecallCurve | null;
  /** test labels and scores in the report's record order */
  labels: Uint8Array;
  scores: Float64Array;
  imageIds: string[];
  trainingCurve: Run['trainingCurve'];
}

/** A baseline run and an augmented run scored on the same test images. */
export interface PairModel {
  key: string;
  baselineRunId: string;
  augmentedRunId: string;
  seed: number | null;
  /** labels in the baseline run's image order */
  labels: Uint8Array;
  baselineScores: Float64Array;
  /** the augmented run's scores aligned to the baseline's image order by imageId */
  augmentedScores: Float64Array;
  baselineThreshold: number;
  augmentedThreshold: number;
  mcnemar: McNemarResult;
  /** null with fewer than two images of either class */
  delong: DeLongResult | null;
}

export interface SplitSummary {
  split: string;
  positive: number;
  negative: number;
  /** majority / minority; null when a class is empty */
  imbalanceRatio: number | null;
}

export interface AcrossSeeds {
  /** number of seed-paired runs behind the paired tests (0 when the arms cannot be paired) */
  pairs: number;
  /** per metric mean ± SD of every run of each arm, paired or not */
  baseline: Record<BootstrapMetric, MeanSd>;
  augmented: Record<BootstrapMetric, MeanSd>;
  /** per metric paired t and Wilcoxon over the seed pairs; null when fewer than two pairs */
  comparison: Record<BootstrapMetric, SeedComparison> | null;
}

export interface TaskModel {
  id: string;
  name: string;
  positiveClass: string;
  negativeClass: string;
  splits: SplitSummary[];
  syntheticImagesAdded: number;
  thresholdPolicy: Task['thresholdPolicy'];
  thresholdPolicyText: string;
  runs: RunModel[];
  /** arm names in order of first appearance */
  arms: string[];
  baselineArm: string | null;
  augmentedArm: string | null;
  pairs: PairModel[];
  /** why runs of the two arms could not be compared, when they could not */
  pairingNotes: string[];
  acrossSeeds: AcrossSeeds | null;
  syntheticSamples: NonNullable<Task['syntheticSamples']>;
}

export interface ReportModel {
  title: string;
  reference: string | null;
  description: string | null;
  createdAt: string | null;
  environment: Report['environment'] | null;
  bootstrap: Report['bootstrap'];
  tasks: TaskModel[];
}

export const METRIC_LABELS: Record<BootstrapMetric, string> = {
  accuracy: 'Accuracy',
  sensitivity: 'Sensitivity (recall)',
  specificity: 'Specificity',
  precision: 'Precision (PPV)',
  f1: 'F-score (F1)',
  balancedAccuracy: 'Balanced accuracy',
  mcc: 'MCC',
  kappa: "Cohen's kappa",
  youden: "Youden's index",
  auroc: 'AUROC',
  averagePrecision: 'Average precision',
};

export const POLICY_TEXT: Record<Task['thresholdPolicy']['policy'], string> = {
  fixed: 'Fixed threshold: an image is called positive when its score is at least the threshold.',
  'youden-validation':
    "Youden-optimal threshold chosen per run on that run's validation set (maximising sensitivity + specificity − 1), then applied unchanged to the test set. Test images never influence the threshold.",
  'target-sensitivity':
    "Per run, the highest threshold whose sensitivity on that run's validation set reaches the target, then applied unchanged to the test set. Test images never influence the threshold.",
};

function policyText(policy: Task['thresholdPolicy']): string {
  if (policy.policy === 'fixed') return `${POLICY_TEXT.fixed} Threshold ${policy.threshold}.`;
  if (policy.policy === 'target-sensitivity') return `${POLICY_TEXT['target-sensitivity']} Target sensitivity ${policy.targetSensitivity}.`;
  return POLICY_TEXT['youden-validation'];
}

function buildRun(task: Task, run: Run): RunModel {
  const labels = Uint8Array.from(run.test, (r) => r.label);
  const scores = Float64Array.from(run.test, (r) => r.score);
  const validation = run.validation ? { labels: run.validation.map((r) => r.label), scores: run.validation.map((r) => r.score) } : undefined;
  const threshold = resolveThreshold(task.thresholdPolicy, validation);
  return {
    id: run.id,
    arm: run.label,
    seed: run.seed,
    config: run.config,
    threshold,
    thresholdText: describeThreshold(threshold),
    metrics: binaryMetrics(labels, scores, threshold.threshold),
    roc: rocCurve(labels, scores),
    pr: precisionRecallCurve(labels, scores),
    labels,
    scores,
    imageIds: run.test.map((r) => r.imageId),
    trainingCurve: run.trainingCurve,
  };
}

/**
 * Which arm is the reference: the one named 'baseline' (any case), else the first to
 * appear; the comparison arm is 'augmented', else the next one.
 */
function chooseArms(arms: string[]): { baseline: string | null; augmented: string | null } {
  if (arms.length < 2) return { baseline: null, augmented: null };
  const find = (name: string) => arms.find((a) => a.toLowerCase() === name);
  const baseline = find('baseline') ?? arms[0];
  const augmented = find('augmented') ?? arms.find((a) => a !== baseline)!;
  return { baseline, augmented };
}

/**
 * Pairs runs across arms by seed when every seed occurs once per arm and the arms share
 * their seeds; otherwise by order within each arm (noted, since seed pairing is the
 * design the paired tests across seeds assume).
 */
function pairRuns(base: RunModel[], aug: RunModel[], notes: string[]): [RunModel, RunModel, number | null][] {
  const seeds = (rs: RunModel[]) => rs.map((r) => r.seed);
  const unique = (xs: number[]) => new Set(xs).size === xs.length;
  const bs = seeds(base), as = seeds(aug);
  if (unique(bs) && unique(as) && bs.length === as.length && bs.every((s) => as.includes(s))) {
    return base.map((b) => [b, aug.find((a) => a.seed === b.seed)!, b.seed]);
  }
  const n = Math.min(base.length, aug.length);
  notes.push(`Runs are paired by their order in the report (seeds ${bs.join(', ')} vs ${as.join(', ')} do not match one to one).`);
  if (base.length !== aug.length) notes.push(`${Math.abs(base.length - aug.length)} run(s) without a partner are left out of the paired comparisons.`);
  return Array.from({ length: n }, (_, i) => [base[i], aug[i], bs[i] === as[i] ? bs[i] : null]);
}

function buildPair(base: RunModel, aug: RunModel, seed: number | null, notes: string[]): PairModel | null {
  const position = new Map(aug.imageIds.map((id, i) => [id, i]));
  if (position.size !== base.imageIds.length || base.imageIds.some((id) => !position.has(id))) {
    notes.push(`Runs '${base.id}' and '${aug.id}' were not scored on the same test images, so they are not compared image by image.`);
    return null;
  }
  const augmentedScores = Float64Array.from(base.imageIds, (id) => aug.scores[position.get(id)!]);
  const labels = base.labels;
  const baselineThreshold = base.threshold.threshold, augmentedThreshold = aug.threshold.threshold;
  return {
    key: `${base.id}|${aug.id}`,
    baselineRunId: base.id,
    augmentedRunId: aug.id,
    seed,
    labels,
    baselineScores: base.scores,
    augmentedScores,
    baselineThreshold,
    augmentedThreshold,
    mcnemar: mcnemarExact(labels, { scores: base.scores, threshold: baselineThreshold }, { scores: augmentedScores, threshold: augmentedThreshold }),
    delong: delongTest(labels, base.scores, augmentedScores),
  };
}

type PointEstimates = Record<BootstrapMetric, number | null>;

function pointEstimatesOf(run: RunModel): PointEstimates {
  return Object.fromEntries(BOOTSTRAP_METRICS.map((m) => [m, run.metrics[m]])) as PointEstimates;
}

function summaryOf(runs: RunModel[]): Record<BootstrapMetric, MeanSd> {
  return Object.fromEntries(BOOTSTRAP_METRICS.map((m) => [m, meanAndSd(runs.map((r) => r.metrics[m]))])) as Record<BootstrapMetric, MeanSd>;
}

function buildTask(task: Task): TaskModel {
  const runs = task.runs.map((run) => buildRun(task, run));
  const arms = [...new Set(runs.map((r) => r.arm))];
  const { baseline, augmented } = chooseArms(arms);
  const pairingNotes: string[] = [];
  const pairs: PairModel[] = [];
  let acrossSeeds: AcrossSeeds | null = null;
  if (baseline && augmented) {
    const base = runs.filter((r) => r.arm === baseline), aug = runs.filter((r) => r.arm === augmented);
    if (arms.length > 2) pairingNotes.push(`Only '${baseline}' and '${augmented}' are compared; runs of ${arms.filter((a) => a !== baseline && a !== augmented).map((a) => `'${a}'`).join(', ')} are shown on their own.`);
    const matched = pairRuns(base, aug, pairingNotes);
    for (const [b, a, seed] of matched) {
      const pair = buildPair(b, a, seed, pairingNotes);
      if (pair) pairs.push(pair);
    }
    if (base.length > 1 || aug.length > 1) {
      // The unit of replication across seeds is the training run: paired over matched runs.
      const comparison = matched.length >= 2 ? compareAcrossSeeds(BOOTSTRAP_METRICS, matched.map(([b]) => pointEstimatesOf(b)), matched.map(([, a]) => pointEstimatesOf(a))) : null;
      acrossSeeds = { pairs: matched.length, baseline: summaryOf(base), augmented: summaryOf(aug), comparison };
    }
  }
  return {
    id: task.id,
    name: task.name,
    positiveClass: task.positiveClass,
    negativeClass: task.negativeClass,
    splits: Object.entries(task.dataSummary.splits).map(([split, c]) => ({ split, positive: c.positive, negative: c.negative, imbalanceRatio: imbalanceRatio(c) })),
    syntheticImagesAdded: task.dataSummary.syntheticImagesAdded,
    thresholdPolicy: task.thresholdPolicy,
    thresholdPolicyText: policyText(task.thresholdPolicy),
    runs,
    arms,
    baselineArm: baseline,
    augmentedArm: augmented,
    pairs,
    pairingNotes,
    acrossSeeds,
    syntheticSamples: task.syntheticSamples ?? [],
  };
}

/** Recomputes every number of a parsed report (see parseReport / importReportJson). */
export function buildReportModel(report: Report): ReportModel {
  return {
    title: report.study.title,
    reference: report.study.reference ?? null,
    description: report.study.description ?? null,
    createdAt: report.createdAt ?? null,
    environment: report.environment ?? null,
    bootstrap: report.bootstrap,
    tasks: report.tasks.map(buildTask),
  };
}
