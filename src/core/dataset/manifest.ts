// Dataset manifest: the JSON a reviewer needs to rebuild the same dataset from the same
// public files — image hashes, labels, tasks, splits with their seeds and policies.
import { z } from 'zod';
import type { DatasetManifest, ImageId, ImageOrigin, ManifestImage, SplitAssignment, Task } from './types';

export const MANIFEST_VERSION = 1 as const;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256 hex string');
const splitName = z.enum(['train', 'val', 'test']);
const finding = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase kebab-case finding name');

const imageSchema = z.object({
  id: sha256Hex,
  labels: z.array(finding),
  origin: z.enum(['real', 'synthetic', 'synthetic-demo']),
  sourcePath: z.string(),
  patientGroup: z.string().nullable(),
  officialSplit: splitName.optional(),
});

const taskSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  positiveFinding: finding,
  otherFindings: z.enum(['exclude', 'positives-keep-cofindings', 'other-as-negative']),
});

const fractionsSchema = z.object({ train: z.number().min(0).max(1), val: z.number().min(0).max(1), test: z.number().min(0).max(1) });

const splitSchema = z.object({
  taskId: z.string().min(1),
  seed: z.number().int(),
  fractions: fractionsSchema,
  officialTestKept: z.boolean(),
  assignments: z.record(sha256Hex, splitName),
  testLocked: z.literal(true),
});

export const manifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    createdAt: z.string(),
    name: z.string(),
    canonicalMaxSide: z.number().int().positive(),
    images: z.array(imageSchema),
    tasks: z.array(taskSchema),
    splits: z.array(splitSchema),
    labelMergePolicy: z.enum(['any-positive', 'majority', 'unanimous']).optional(),
  })
  .superRefine((m, ctx) => {
    const ids = new Set<string>();
    m.images.forEach((img, i) => {
      if (ids.has(img.id)) ctx.addIssue({ code: 'custom', path: ['images', i, 'id'], message: `duplicate image id ${img.id}` });
      ids.add(img.id);
    });
    const taskIds = new Set(m.tasks.map((t) => t.id));
    m.splits.forEach((s, i) => {
      if (!taskIds.has(s.taskId)) ctx.addIssue({ code: 'custom', path: ['splits', i, 'taskId'], message: `split refers to unknown task "${s.taskId}"` });
      const unknown = Object.keys(s.assignments).filter((id) => !ids.has(id));
      if (unknown.length > 0) ctx.addIssue({ code: 'custom', path: ['splits', i, 'assignments'], message: `${unknown.length} assigned image(s) are not in images (first: ${unknown[0]})` });
    });
  });

export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid dataset manifest:\n- ${problems.join('\n- ')}`);
    this.name = 'ManifestError';
  }
}

export interface ManifestInput {
  name: string;
  canonicalMaxSide: number;
  images: readonly (ManifestImage & { origin: ImageOrigin })[];
  tasks: readonly Task[];
  splits: readonly SplitAssignment[];
  labelMergePolicy?: DatasetManifest['labelMergePolicy'];
  createdAt?: Date;
}

export function buildManifest(input: ManifestInput): DatasetManifest {
  const m: DatasetManifest = {
    version: MANIFEST_VERSION,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    name: input.name,
    canonicalMaxSide: input.canonicalMaxSide,
    // Sorted by id so two exports of the same dataset are byte-identical.
    images: [...input.images]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((img) => {
        const out: ManifestImage = { id: img.id, labels: [...img.labels], origin: img.origin, sourcePath: img.sourcePath, patientGroup: img.patientGroup };
        if (img.officialSplit) out.officialSplit = img.officialSplit;
        return out;
      }),
    tasks: input.tasks.map((t) => ({ ...t })),
    splits: input.splits.map((s) => ({ ...s, assignments: Object.fromEntries(Object.entries(s.assignments).sort(([a], [b]) => (a < b ? -1 : 1))) })),
  };
  if (input.labelMergePolicy) m.labelMergePolicy = input.labelMergePolicy;
  return m;
}

export function exportManifest(m: DatasetManifest): string {
  return JSON.stringify(m, null, 2);
}

/** Parses and validates; throws ManifestError listing every problem with its JSON path. */
export function importManifest(json: string): DatasetManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new ManifestError([`not JSON: ${(e as Error).message}`]);
  }
  if (typeof raw === 'object' && raw !== null && 'version' in raw && raw.version !== MANIFEST_VERSION) {
    throw new ManifestError([`unsupported manifest version ${JSON.stringify(raw.version)} (this app reads version ${MANIFEST_VERSION})`]);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ManifestError(parsed.error.issues.map((iss) => `${iss.path.length ? iss.path.join('.') : '(root)'}: ${iss.message}`));
  }
  return parsed.data as DatasetManifest;
}

export interface ManifestMatch {
  /** manifest images not present in the imported set */
  missing: ManifestImage[];
  /** imported ids the manifest does not list */
  extra: ImageId[];
  matched: ImageId[];
}

/** Compares a manifest with the ids of the images actually imported. */
export function matchManifest(m: DatasetManifest, importedIds: Iterable<ImageId>): ManifestMatch {
  const present = new Set(importedIds);
  const listed = new Set(m.images.map((i) => i.id));
  return {
    missing: m.images.filter((i) => !present.has(i.id)),
    extra: [...present].filter((id) => !listed.has(id)).sort(),
    matched: m.images.filter((i) => present.has(i.id)).map((i) => i.id),
  };
}

/**
 * Restricts the manifest's splits to the images present, so a reviewer missing a few
 * files still gets the same assignment for the rest (and sees what is missing).
 */
export function applyManifest(m: DatasetManifest, importedIds: Iterable<ImageId>): { match: ManifestMatch; splits: SplitAssignment[] } {
  const match = matchManifest(m, importedIds);
  const ok = new Set(match.matched);
  const splits = m.splits.map((s) => ({ ...s, assignments: Object.fromEntries(Object.entries(s.assignments).filter(([id]) => ok.has(id))) }));
  return { match, splits };
}
