// Model catalog: the JSON in models/catalog.json, validated with zod. Shared by diffusion
// pipelines, classifier weights and VAEs. Pure: runs in Node tests, workers and the UI.
import { z } from 'zod';

export const MODEL_KINDS = ['diffusion-pipeline', 'classifier-weights', 'vae'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** 'unknown' exists only for locally imported pipelines, whose precision we cannot know from file names. */
export const MODEL_VARIANTS = ['fp32', 'fp16', 'int8', 'q4', 'unknown'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

const hex = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);

/** A relative path inside a model folder: no absolute paths, no "..", no backslashes, no empty segments. */
export const relativePathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), {
    message: 'must be a relative path like "unet/model.onnx" (no leading "/", no "..", no backslashes)',
  });

/**
 * Either an https URL (real downloads) or a same-origin absolute path (tests and
 * self-hosted mirrors). Plain http is refused: the integrity of unpinned files would
 * then depend on the network.
 */
export const downloadUrlSchema = z.string().refine((u) => u.startsWith('/') && !u.startsWith('//') ? true : /^https:\/\/[^/]+\//.test(u), {
  message: 'must be an https:// URL or a same-origin path starting with "/"',
});

export const modelFileSchema = z
  .object({
    path: relativePathSchema,
    url: downloadUrlSchema,
    /** exact size in bytes; checked after download */
    bytes: z.number().int().nonnegative().optional(),
    /** size as a hub shows it (rounded): for display and progress only, never checked */
    approxBytes: z.number().int().nonnegative().optional(),
    sha256: z.string().regex(hex(64), 'sha256 must be 64 lowercase hex digits').optional(),
    md5: z.string().regex(hex(32), 'md5 must be 32 lowercase hex digits').optional(),
  })
  .strict();
export type ModelFile = z.infer<typeof modelFileSchema>;

export const modelEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'id: lowercase letters, digits, ".", "_" or "-", 2–64 characters'),
    kind: z.enum(MODEL_KINDS),
    name: z.string().min(1),
    variant: z.enum(MODEL_VARIANTS),
    requiresShaderF16: z.boolean(),
    licence: z.string().min(1),
    homepage: z.string().url(),
    /** where the files come from, in words (repository and revision) */
    source: z.string().min(1),
    notes: z.string(),
    files: z.array(modelFileSchema).min(1),
  })
  .strict()
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    for (const [i, f] of e.files.entries()) {
      if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `duplicate file path "${f.path}"` });
      seen.add(f.path);
    }
    if (e.variant === 'fp16' && !e.requiresShaderF16) {
      ctx.addIssue({ code: 'custom', path: ['requiresShaderF16'], message: 'an fp16 variant computes in f16 on WebGPU and needs shader-f16' });
    }
  });
export type ModelEntry = z.infer<typeof modelEntrySchema>;

export const hostSchema = z
  .object({
    /** a host that catalog URLs name */
    host: z.string().regex(/^[a-z0-9.-]+$/),
    /** hosts the first one redirects downloads to (CDNs); CSP applies to redirect targets too */
    redirects: z.array(z.string().regex(/^(\*\.)?[a-z0-9.-]+$/)),
    why: z.string().min(1),
  })
  .strict();

export const catalogSchema = z
  .object({
    version: z.literal(1),
    hosts: z.array(hostSchema),
    models: z.array(modelEntrySchema),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    const hosts = new Set(c.hosts.map((h) => h.host));
    for (const [i, m] of c.models.entries()) {
      if (ids.has(m.id)) ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `duplicate model id "${m.id}"` });
      ids.add(m.id);
      if (m.variant === 'unknown') ctx.addIssue({ code: 'custom', path: ['models', i, 'variant'], message: 'catalog entries must state their variant' });
      for (const [j, f] of m.files.entries()) {
        const host = urlHost(f.url);
        if (host && !hosts.has(host)) {
          ctx.addIssue({ code: 'custom', path: ['models', i, 'files', j, 'url'], message: `host ${host} is not listed in "hosts" (the CSP is built from that list)` });
        }
      }
    }
  });
export type Catalog = z.infer<typeof catalogSchema>;

/** The host of an absolute URL, or null for a same-origin path. */
export function urlHost(url: string): string | null {
  if (url.startsWith('/')) return null;
  return new URL(url).host;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

export function parseCatalog(json: unknown): Catalog {
  const r = catalogSchema.safeParse(json);
  if (!r.success) throw new CatalogError(`Invalid model catalog: ${formatIssues(r.error)}`);
  return r.data;
}

export function parseModelEntry(json: unknown): ModelEntry {
  const r = modelEntrySchema.safeParse(json);
  if (!r.success) throw new CatalogError(`Invalid model entry: ${formatIssues(r.error)}`);
  return r.data;
}

/** How a file will be checked after download, weakest first. */
export type FileCheck = 'none' | 'size' | 'md5' | 'sha256';

export function fileCheck(f: ModelFile): FileCheck {
  if (f.sha256) return 'sha256';
  if (f.md5) return 'md5';
  if (f.bytes !== undefined) return 'size';
  return 'none';
}

/** Sum of exact sizes, or of hub-rounded sizes where the exact one is unknown; `exact` says which. */
export function entrySize(e: Pick<ModelEntry, 'files'>): { bytes: number; exact: boolean; unknownFiles: number } {
  let bytes = 0;
  let exact = true;
  let unknownFiles = 0;
  for (const f of e.files) {
    if (f.bytes !== undefined) bytes += f.bytes;
    else if (f.approxBytes !== undefined) {
      bytes += f.approxBytes;
      exact = false;
    } else {
      unknownFiles++;
      exact = false;
    }
  }
  return { bytes, exact, unknownFiles };
}

/**
 * What the UI must say about verification. The wording for unpinned hashes is fixed by
 * the project: a user has to know when integrity rests on size alone.
 */
export function describeVerification(e: Pick<ModelEntry, 'files'>): { pinned: boolean; text: string } {
  const checks = e.files.map(fileCheck);
  if (checks.every((c) => c === 'sha256' || c === 'md5')) {
    const md5 = checks.some((c) => c === 'md5');
    return { pinned: true, text: md5 ? 'hash pinned: every file is checked against its published hash (MD5 where the publisher gives only MD5); SHA-256 recorded' : 'hash pinned: every file is checked against its SHA-256' };
  }
  const unpinned = checks.filter((c) => c === 'size' || c === 'none').length;
  const sizeless = checks.filter((c) => c === 'none').length;
  let text = 'hash not pinned: verified against the size only, SHA-256 recorded on first download';
  if (unpinned < checks.length) text += ` (${checks.length - unpinned} of ${checks.length} files have a pinned hash)`;
  if (sizeless > 0) text += `; ${sizeless} file${sizeless > 1 ? 's have' : ' has'} no published exact size either, so nothing is checked for ${sizeless > 1 ? 'them' : 'it'} beyond a complete transfer`;
  return { pinned: false, text };
}

/** Every host a download of these entries may contact, redirect CDNs included. */
export function downloadHosts(catalog: Pick<Catalog, 'hosts' | 'models'>, entries: Pick<ModelEntry, 'files'>[] = catalog.models): string[] {
  const used = new Set<string>();
  for (const e of entries) for (const f of e.files) {
    const h = urlHost(f.url);
    if (h) used.add(h);
  }
  const out: string[] = [];
  for (const h of catalog.hosts) if (used.has(h.host)) out.push(h.host, ...h.redirects);
  return [...new Set(out)];
}

/** CSP connect-src sources for the catalog: exactly its hosts and their redirect targets, https only. */
export function connectSources(catalog: Pick<Catalog, 'hosts' | 'models'>): string[] {
  return downloadHosts(catalog).map((h) => `https://${h}`);
}
