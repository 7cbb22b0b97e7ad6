// The bridge from the app's own classifier runs to a report: baseline and augmented runs of
// one dataset task become one report task, in the versioned schema, so the Report page, its
// statistics and its exports treat them exactly like an imported report.
import { parseReport, REPORT_SCHEMA_VERSION, type Environment, type Report, type ReportThresholdPolicy } from '../core/report';
import { toReportRun, type ClassifierRunRecord } from '../storage/classifier-runs';
import { getDataset, readCanonicalPixels } from '../storage/dataset-repo';
import { acceptedSyntheticImages } from '../storage/synthetic-repo';

export const STUDY_TITLE = 'Latent-diffusion augmentation for pediatric chest X-ray classification';
export const STUDY_REFERENCE =
  'Rajaraman S, Liang Z, Xue Z, Antani S. Addressing class imbalance with latent-diffusion-based data augmentation for improving disease classification in pediatric chest X-rays. IEEE BIBM 2024.';

export interface FromRunsOptions {
  policy: ReportThresholdPolicy;
  environment: Environment;
  /** how many accepted synthetic images to embed per task (gallery) */
  gallerySize?: number;
  /** encodes canonical gray pixels as a data:image/png URL (a canvas in the page) */
  encodePng?: (gray: { width: number; height: number; pixels: Uint8Array }) => Promise<string>;
  bootstrap?: { resamples: number; seed: number; confidence: number };
}

/** Runs grouped by dataset task, finished runs only, oldest first within a task. */
export function groupRunsByTask(runs: ClassifierRunRecord[]): Map<string, ClassifierRunRecord[]> {
  const groups = new Map<string, ClassifierRunRecord[]>();
  for (const r of [...runs].sort((a, b) => a.createdAt - b.createdAt)) {
    if (r.status !== 'completed' || r.test.length === 0) continue;
    const key = `${r.datasetId}/${r.taskId}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

export async function reportFromClassifierRuns(runs: ClassifierRunRecord[], opts: FromRunsOptions): Promise<Report> {
  const groups = groupRunsByTask(runs);
  if (groups.size === 0) throw new Error('choose at least one finished classifier run');
  const tasks = [];
  for (const [key, taskRuns] of groups) {
    const first = taskRuns[0];
    const dataset = await getDataset(first.datasetId);
    const task = dataset?.tasks.find((t) => t.id === first.taskId);
    const augmented = taskRuns.filter((r) => r.arm === 'augmented');
    const syntheticAdded = Math.max(0, ...augmented.map((r) => r.counts.syntheticTrain + r.counts.syntheticVal));
    const samples = opts.encodePng && augmented.length > 0 ? await gallery(first.datasetId, first.taskId, opts.gallerySize ?? 8, opts.encodePng) : [];
    tasks.push({
      id: key,
      name: `${first.datasetName}: ${first.taskName}`,
      positiveClass: task?.positiveFinding ?? first.taskName,
      negativeClass: 'normal',
      // Real images per split as the baseline saw them; the augmented arm adds `syntheticImagesAdded`.
      dataSummary: {
        splits: { train: first.counts.train, validation: first.counts.val, test: first.counts.test },
        syntheticImagesAdded: syntheticAdded,
      },
      thresholdPolicy: opts.policy,
      runs: taskRuns.map(toReportRun),
      ...(samples.length ? { syntheticSamples: samples } : {}),
    });
  }
  // Through the schema: the same checks as an imported file (same test images and labels
  // in every run, validation present for validation-based thresholds, …).
  return parseReport({
    schemaVersion: REPORT_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    study: { title: STUDY_TITLE, reference: STUDY_REFERENCE, description: 'Built in this browser from its own classifier runs.' },
    environment: opts.environment,
    bootstrap: opts.bootstrap ?? { resamples: 2000, seed: 0, confidence: 0.95 },
    tasks,
  });
}

async function gallery(datasetId: string, taskId: string, n: number, encode: NonNullable<FromRunsOptions['encodePng']>) {
  const accepted = (await acceptedSyntheticImages(datasetId, taskId)).slice(0, n);
  const out: { id: string; dataUrl: string; caption: string }[] = [];
  for (const rec of accepted) {
    const gray = await readCanonicalPixels(rec.id);
    if (!gray) continue;
    const p = rec.provenance;
    out.push({ id: rec.id, dataUrl: await encode(gray), caption: `synthetic (seed ${p.seed}, from ${p.sourceImageId.slice(0, 10)}…)` });
  }
  return out;
}
