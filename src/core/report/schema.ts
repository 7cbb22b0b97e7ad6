// The report JSON, schema version 1. A report carries everything needed to recompute every
// number: per-image test labels and scores of every run (and validation records when the
// threshold is chosen on validation). Computed results may be present in a file but are
// never trusted: the app recomputes them, so they are typed `unknown` here.
import { z } from 'zod';

export const REPORT_SCHEMA_VERSION = 1;

const nonEmpty = z.string().min(1, { error: 'must not be empty' });
/** A custom message that still says "missing" when the field is absent. */
const orMissing = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `is missing (${message})` : message);

export const imageScoreSchema = z.object({
  imageId: nonEmpty,
  label: z.literal([0, 1], { error: orMissing('must be 0 or 1') }),
  /** any finite number; probabilities in [0, 1] for the classifier's sigmoid output */
  score: z.number({ error: orMissing('must be a finite number') }),
});

export const classCountsSchema = z.object({
  positive: z.int().nonnegative(),
  negative: z.int().nonnegative(),
});

export const dataSummarySchema = z.object({
  /** class counts per split, e.g. train / validation / test (after augmentation for train) */
  splits: z.record(nonEmpty, classCountsSchema),
  /** synthetic images added to the augmented arm's training (and validation) sets */
  syntheticImagesAdded: z.int().nonnegative().default(0),
  /** may be carried for reading; the app recomputes it from `splits` */
  imbalanceRatio: z.number().nullable().optional(),
});

export const thresholdPolicySchema = z.discriminatedUnion(
  'policy',
  [
    z.object({ policy: z.literal('fixed'), threshold: z.number().default(0.5) }),
    z.object({ policy: z.literal('youden-validation') }),
    z.object({ policy: z.literal('target-sensitivity'), targetSensitivity: z.number().gt(0).lte(1) }),
  ],
  { error: "must be one of 'fixed', 'youden-validation', 'target-sensitivity'" },
);

/** One row per epoch: `{epoch, trainLoss, valLoss, valAuroc, ...}`; null where not measured. */
export const trainingCurvePointSchema = z.object({ epoch: z.int().nonnegative() }).catchall(z.number().nullable());

export const runSchema = z.object({
  id: nonEmpty,
  /** the arm, e.g. 'baseline' or 'augmented' */
  label: nonEmpty,
  seed: z.int(),
  config: z.record(z.string(), z.unknown()).default({}),
  trainingCurve: z.array(trainingCurvePointSchema).optional(),
  test: z.array(imageScoreSchema).min(1, { error: 'needs at least one test record' }),
  validation: z.array(imageScoreSchema).optional(),
  /** not trusted: recomputed on import */
  results: z.unknown().optional(),
});

export const syntheticSampleSchema = z.object({
  id: nonEmpty,
  /** self-contained image so an exported report opens offline */
  dataUrl: z.string().startsWith('data:image/', { error: 'must be a data:image/ URL' }),
  caption: z.string().optional(),
});

const taskObjectSchema = z.object({
  id: nonEmpty,
  name: nonEmpty,
  positiveClass: nonEmpty,
  negativeClass: nonEmpty,
  dataSummary: dataSummarySchema,
  thresholdPolicy: thresholdPolicySchema.default({ policy: 'fixed', threshold: 0.5 }),
  runs: z.array(runSchema).min(1, { error: 'needs at least one run' }),
  syntheticSamples: z.array(syntheticSampleSchema).optional(),
  results: z.unknown().optional(),
});

export const taskSchema = taskObjectSchema.superRefine(checkTaskConsistency);

export const environmentSchema = z.looseObject({
  browser: z.string().optional(),
  gpuAdapter: z.string().nullable().optional(),
  backends: z.array(z.string()).default([]),
  appVersion: z.string().optional(),
});

export const bootstrapSettingsSchema = z.object({
  resamples: z.int().min(2).default(2000),
  seed: z.int().default(0),
  confidence: z.number().gt(0).lt(1).default(0.95),
});

export const reportSchema = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    createdAt: z.string().optional(),
    study: z.object({ title: nonEmpty, reference: z.string().optional(), description: z.string().optional() }),
    environment: environmentSchema.optional(),
    bootstrap: bootstrapSettingsSchema.default({ resamples: 2000, seed: 0, confidence: 0.95 }),
    tasks: z.array(taskSchema).min(1, { error: 'needs at least one task' }),
    results: z.unknown().optional(),
  })
  .superRefine((report, ctx) => {
    const seen = new Map<string, string>();
    report.tasks.forEach((task, t) =>
      task.runs.forEach((run, r) => {
        const where = `tasks[${t}].runs[${r}]`;
        const first = seen.get(run.id);
        if (first) ctx.addIssue({ code: 'custom', path: ['tasks', t, 'runs', r, 'id'], message: `run id '${run.id}' is used twice (also at ${first})` });
        else seen.set(run.id, where);
      }),
    );
  });

export type ImageScore = z.output<typeof imageScoreSchema>;
export type ClassCounts = z.output<typeof classCountsSchema>;
export type DataSummary = z.output<typeof dataSummarySchema>;
export type ReportThresholdPolicy = z.output<typeof thresholdPolicySchema>;
export type TrainingCurvePoint = z.output<typeof trainingCurvePointSchema>;
export type Run = z.output<typeof runSchema>;
export type Task = z.output<typeof taskSchema>;
export type Environment = z.output<typeof environmentSchema>;
export type Report = z.output<typeof reportSchema>;
/** What a writer may leave out (defaults are filled in by parseReport). */
export type ReportInput = z.input<typeof reportSchema>;

function checkTaskConsistency(task: z.output<typeof taskObjectSchema>, ctx: z.RefinementCtx): void {
  // The same image must carry the same label in every run (paired comparisons rely on it).
  const labelOf = new Map<string, { label: number; run: string }>();
  const needsValidation = task.thresholdPolicy.policy !== 'fixed';
  task.runs.forEach((run, r) => {
    const testIds = new Set<string>();
    run.test.forEach((rec, i) => {
      if (testIds.has(rec.imageId)) {
        ctx.addIssue({ code: 'custom', path: ['runs', r, 'test', i, 'imageId'], message: `image '${rec.imageId}' appears twice in the test records` });
      }
      testIds.add(rec.imageId);
      const known = labelOf.get(rec.imageId);
      if (known && known.label !== rec.label) {
        ctx.addIssue({
          code: 'custom',
          path: ['runs', r, 'test', i, 'label'],
          message: `image '${rec.imageId}' is labelled ${rec.label} here but ${known.label} in run '${known.run}'`,
        });
      } else if (!known) labelOf.set(rec.imageId, { label: rec.label, run: run.id });
    });
    const validationIds = new Set<string>();
    run.validation?.forEach((rec, i) => {
      if (testIds.has(rec.imageId)) {
        ctx.addIssue({ code: 'custom', path: ['runs', r, 'validation', i, 'imageId'], message: `image '${rec.imageId}' is in both the test and the validation records` });
      }
      if (validationIds.has(rec.imageId)) {
        ctx.addIssue({ code: 'custom', path: ['runs', r, 'validation', i, 'imageId'], message: `image '${rec.imageId}' appears twice in the validation records` });
      }
      validationIds.add(rec.imageId);
    });
    if (needsValidation) {
      const labels = new Set((run.validation ?? []).map((rec) => rec.label));
      if (labels.size < 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['runs', r, 'validation'],
          message: `the '${task.thresholdPolicy.policy}' threshold policy needs validation records with both classes`,
        });
      }
    }
  });
}

/** majority / minority class count of a split; null when a class is empty. */
export function imbalanceRatio(counts: ClassCounts): number | null {
  const lo = Math.min(counts.positive, counts.negative);
  return lo > 0 ? Math.max(counts.positive, counts.negative) / lo : null;
}

/** `tasks[0].runs[1].test[3].label` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}

function plainMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return `is missing (expected ${issue.expected})`;
  return issue.message.replace(/^Invalid input: /, '');
}

const MAX_LISTED = 25;

/** Plain-words list of problems, one line each: `path: what is wrong`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, MAX_LISTED).map((i) => `- ${formatPath(i.path)}: ${plainMessage(i)}`);
  if (issues.length > MAX_LISTED) lines.push(`- … and ${issues.length - MAX_LISTED} more`);
  return lines.join('\n');
}

/** Validates a report JSON value; throws an Error listing every problem by path. */
export function parseReport(json: unknown): Report {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('Not a report: expected a JSON object with schemaVersion, study and tasks.');
  }
  const version = (json as { schemaVersion?: unknown }).schemaVersion;
  if (version !== undefined && version !== REPORT_SCHEMA_VERSION) {
    throw new Error(`Unsupported report schemaVersion ${JSON.stringify(version)}; this app reads version ${REPORT_SCHEMA_VERSION}.`);
  }
  const result = reportSchema.safeParse(json);
  if (result.success) return result.data;
  const n = result.error.issues.length;
  throw new Error(`The report is not valid (${n} problem${n === 1 ? '' : 's'}):\n${describeIssues(result.error.issues)}`);
}
