// The minimal import form: any JSON of per-image labels and scores for one model, or two
// (baseline and augmented), becomes a full report so the report page works before the
// classifier exists. Accepted shapes:
//   [{label, score, imageId?}]                      one run
//   [{label, baseline, augmented, imageId?}]        two runs on the same images
//   {labels: [...], scores: [...]}                  one run
//   {labels: [...], baseline: [...], augmented: [...]}  two runs
// Labels are 0/1 (or false/true); `id` is accepted for `imageId`.
import { z } from 'zod';
import { describeIssues, parseReport, REPORT_SCHEMA_VERSION, type Report, type ReportInput } from './schema';

const label = z.union([z.literal([0, 1]), z.boolean()], { error: 'label must be 0, 1, false or true' }).transform((v) => (v === true || v === 1 ? 1 : 0));
const score = z.number({ error: 'must be a finite number' });
const imageId = z.union([z.string().min(1), z.int()]).transform(String).optional();

const singleRecords = z.array(z.object({ label, score, imageId, id: imageId })).min(1);
const pairedRecords = z.array(z.object({ label, baseline: score, augmented: score, imageId, id: imageId })).min(1);
const singleColumns = z.object({ labels: z.array(label).min(1), scores: z.array(score) });
const pairedColumns = z.object({ labels: z.array(label).min(1), baseline: z.array(score), augmented: z.array(score) });

export interface FromScoresOptions {
  title?: string;
  taskName?: string;
  positiveClass?: string;
  negativeClass?: string;
  /** decision threshold on the scores; default 0.5 */
  threshold?: number;
}

interface Columns {
  ids: string[];
  labels: (0 | 1)[];
  runs: { label: string; scores: number[] }[];
}

function columnsFrom(input: unknown): Columns {
  const ids = (n: number, given?: (string | undefined)[]) => Array.from({ length: n }, (_, i) => given?.[i] ?? `image-${i + 1}`);
  const asLabels = (xs: number[]) => xs.map((x) => (x === 1 ? 1 : 0) as 0 | 1);
  if (Array.isArray(input)) {
    const first: unknown = input[0];
    const paired = typeof first === 'object' && first !== null && 'baseline' in first;
    if (paired) {
      const rows = pairedRecords.safeParse(input);
      if (!rows.success) throw importError(rows.error.issues);
      const d = rows.data;
      return {
        ids: ids(d.length, d.map((r) => r.imageId ?? r.id)),
        labels: asLabels(d.map((r) => r.label)),
        runs: [
          { label: 'baseline', scores: d.map((r) => r.baseline) },
          { label: 'augmented', scores: d.map((r) => r.augmented) },
        ],
      };
    }
    const rows = singleRecords.safeParse(input);
    if (!rows.success) throw importError(rows.error.issues);
    const d = rows.data;
    return { ids: ids(d.length, d.map((r) => r.imageId ?? r.id)), labels: asLabels(d.map((r) => r.label)), runs: [{ label: 'model', scores: d.map((r) => r.score) }] };
  }
  if (typeof input === 'object' && input !== null && 'baseline' in input) {
    const cols = pairedColumns.safeParse(input);
    if (!cols.success) throw importError(cols.error.issues);
    const { labels, baseline, augmented } = cols.data;
    checkLengths(labels.length, { baseline: baseline.length, augmented: augmented.length });
    return { ids: ids(labels.length), labels: asLabels(labels), runs: [{ label: 'baseline', scores: baseline }, { label: 'augmented', scores: augmented }] };
  }
  const cols = singleColumns.safeParse(input);
  if (!cols.success) throw importError(cols.error.issues);
  checkLengths(cols.data.labels.length, { scores: cols.data.scores.length });
  return { ids: ids(cols.data.labels.length), labels: asLabels(cols.data.labels), runs: [{ label: 'model', scores: cols.data.scores }] };
}

function checkLengths(n: number, others: Record<string, number>): void {
  for (const [name, length] of Object.entries(others)) {
    if (length !== n) throw new Error(`Not a scores file: ${name} has ${length} values but labels has ${n}.`);
  }
}

function importError(issues: readonly z.core.$ZodIssue[]): Error {
  return new Error(
    'Not a report or scores file. Expected a report (with schemaVersion), or per-image labels and scores ' +
      '([{label, score}], [{label, baseline, augmented}], {labels, scores} or {labels, baseline, augmented}). Problems:\n' +
      describeIssues(issues),
  );
}

/** Builds a schema-valid report (one task, test records only, fixed threshold) from labels/scores. */
export function reportFromScores(input: unknown, options: FromScoresOptions = {}): Report {
  const { ids, labels, runs } = columnsFrom(input);
  const positives = labels.reduce<number>((s, y) => s + y, 0);
  const report: ReportInput = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    study: { title: options.title ?? 'Imported labels and scores' },
    tasks: [
      {
        id: 'imported',
        name: options.taskName ?? 'Imported scores',
        positiveClass: options.positiveClass ?? 'positive',
        negativeClass: options.negativeClass ?? 'negative',
        dataSummary: { splits: { test: { positive: positives, negative: labels.length - positives } }, syntheticImagesAdded: 0 },
        thresholdPolicy: { policy: 'fixed', threshold: options.threshold ?? 0.5 },
        runs: runs.map((run) => ({
          id: run.label,
          label: run.label,
          seed: 0,
          config: { source: 'imported scores' },
          test: run.scores.map((s, i) => ({ imageId: ids[i], label: labels[i], score: s })),
        })),
      },
    ],
  };
  return parseReport(report);
}

/** A report JSON (has schemaVersion) is validated as such; anything else is read as scores. */
export function importReportJson(json: unknown): Report {
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'schemaVersion' in json) return parseReport(json);
  return reportFromScores(json);
}
