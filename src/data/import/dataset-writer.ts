// Batched, resumable writes of one dataset's images. Each flush writes, in this order:
// pixels → thumbnails → image records (only for ids not stored yet: content-addressed
// data is never rewritten) → the dataset's member records → a checkpoint chunk naming
// the source paths the batch finished. A crash between steps leaves at worst images
// without a checkpoint, which a resumed run decodes again and finds already stored.
import { memberKey, type DatasetImage, type ImportFileError } from '../../core/dataset/dataset-record';
import type { ImageId, ImageRecord } from '../../core/dataset/types';
import { listDatasetImages } from '../../storage/dataset-repo';
import { stores, type StoredGray } from '../../storage/stores';
import type { Gray8Image } from '../decode-types';

export interface CheckpointChunk {
  /** source paths finished by this batch (stored, duplicate or failed) */
  paths: string[];
  errors: ImportFileError[];
}

export const checkpointPrefix = (datasetId: string) => `import:${datasetId}:`;

interface Batch {
  fresh: { member: DatasetImage; pixels: Gray8Image; thumb: Gray8Image }[];
  dirty: Set<ImageId>;
  paths: string[];
  errors: ImportFileError[];
}

const emptyBatch = (): Batch => ({ fresh: [], dirty: new Set(), paths: [], errors: [] });

function imageRecordOf(m: DatasetImage): ImageRecord {
  // The shared record keeps what is true of the pixels everywhere, plus the first
  // importer's labels/path for reference; datasets read their own member records.
  const { datasetId: _d, duplicatePaths: _p, relabelled: _r, ...rec } = m;
  return rec;
}

const gray = (g: Gray8Image): StoredGray => ({ width: g.width, height: g.height, pixels: g.pixels });

export class DatasetWriter {
  /** every member of the dataset so far, including earlier runs' */
  readonly members = new Map<ImageId, DatasetImage>();
  /** paths finished in any run */
  readonly finished = new Set<string>();
  readonly errors: ImportFileError[] = [];
  private batch = emptyBatch();
  private seq = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  private constructor(
    readonly datasetId: string,
    private readonly batchSize: number,
  ) {}

  /** Loads what earlier runs of this import stored (members and checkpoint chunks). */
  static async open(datasetId: string, batchSize: number): Promise<DatasetWriter> {
    const w = new DatasetWriter(datasetId, batchSize);
    for (const m of await listDatasetImages(datasetId)) w.members.set(m.id, m);
    const prefix = checkpointPrefix(datasetId);
    const keys = (await stores.checkpoints.keys()).filter((k) => k.startsWith(prefix)).sort();
    const chunks = (await stores.checkpoints.getMany(keys)) as (CheckpointChunk | undefined)[];
    for (const c of chunks) {
      if (!c) continue;
      for (const p of c.paths) w.finished.add(p);
      w.errors.push(...c.errors);
    }
    w.seq = keys.length > 0 ? Number(keys[keys.length - 1].slice(prefix.length)) + 1 : 0;
    return w;
  }

  get pendingImages(): number {
    return this.batch.fresh.length;
  }

  /** Adds a decoded image; returns 'duplicate' when the dataset already holds the same pixels. */
  addImage(member: DatasetImage, pixels: Gray8Image, thumb: Gray8Image): 'stored' | 'duplicate' {
    this.finished.add(member.sourcePath);
    this.batch.paths.push(member.sourcePath);
    const existing = this.members.get(member.id);
    if (!existing) {
      this.members.set(member.id, member);
      this.batch.fresh.push({ member, pixels, thumb });
      this.batch.dirty.add(member.id);
      return 'stored';
    }
    // Same pixels from another file: one member, all paths kept. The member's path (and
    // its folder labels) is the first in sort order, so the outcome does not depend on
    // which file finished decoding first.
    const paths = [...new Set([existing.sourcePath, ...(existing.duplicatePaths ?? []), member.sourcePath])].sort();
    if (paths[0] === member.sourcePath && !existing.relabelled) {
      existing.sourcePath = member.sourcePath;
      existing.labels = member.labels;
      existing.subLabels = member.subLabels;
      existing.officialSplit = member.officialSplit;
      existing.patientGroup = member.patientGroup;
    }
    existing.duplicatePaths = paths.slice(1);
    this.batch.dirty.add(member.id);
    return 'duplicate';
  }

  addError(error: ImportFileError): void {
    this.finished.add(error.path);
    this.errors.push(error);
    this.batch.paths.push(error.path);
    this.batch.errors.push(error);
  }

  /**
   * Starts writing the current batch when it is full. At most one batch is being written
   * while the next fills, which bounds memory at about two batches of images.
   */
  async maybeFlush(): Promise<void> {
    if (this.batch.fresh.length + this.batch.errors.length < this.batchSize && this.batch.paths.length < this.batchSize * 4) return;
    await this.writing;
    this.throwIfFailed();
    this.startFlush();
  }

  /** Writes everything pending and waits for it. */
  async flush(): Promise<void> {
    await this.writing;
    this.throwIfFailed();
    this.startFlush();
    await this.writing;
    this.throwIfFailed();
  }

  private throwIfFailed() {
    if (this.failure) throw this.failure;
  }

  private startFlush() {
    const b = this.batch;
    if (b.paths.length === 0 && b.dirty.size === 0) return;
    this.batch = emptyBatch();
    const seq = this.seq++;
    this.writing = this.write(b, seq).catch((e) => {
      this.failure = e;
    });
  }

  private async write(b: Batch, seq: number): Promise<void> {
    if (b.fresh.length > 0) {
      const present = await stores.images.getMany(b.fresh.map((f) => f.member.id));
      const fresh = b.fresh.filter((_, k) => present[k] === undefined);
      if (fresh.length > 0) {
        await stores.pixels.putMany(fresh.map((f) => [f.member.id, gray(f.pixels)]));
        await stores.thumbs.putMany(fresh.map((f) => [f.member.id, gray(f.thumb)]));
        await stores.images.putMany(fresh.map((f) => [f.member.id, imageRecordOf(f.member)]));
      }
    }
    if (b.dirty.size > 0) await stores.datasetImages.putMany([...b.dirty].map((id) => [memberKey(this.datasetId, id), this.members.get(id)!]));
    const chunk: CheckpointChunk = { paths: b.paths, errors: b.errors };
    await stores.checkpoints.put(`${checkpointPrefix(this.datasetId)}${String(seq).padStart(7, '0')}`, chunk);
  }
}
