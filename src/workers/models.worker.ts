// Models worker: downloads and imports of model files (thin facade over ml/models).
// OPFS sync access handles, which the downloader writes through, exist only in workers.
import * as Comlink from 'comlink';
import type { ProgressSink } from '../core/jobs';
import { parseModelEntry } from '../core/models/catalog';
import { downloadModel, type DownloadOptions, type DownloadResult } from '../ml/models/download';
import { importLocalModel, type ImportRequest, type ImportResult } from '../ml/models/import-local';
import { installDemoPipeline } from '../ml/models/install-demo';
import { quantizePipeline, type QuantizedBits, type QuantizePipelineResult } from '../ml/models/quantize-pipeline';
import { deleteModel, listModels, type StoredModel } from '../storage/model-store';
import { JobHost } from './job-host';

const host = new JobHost();

const api = {
  /** Job: download (or resume) a catalog entry. The entry is re-validated here: it crossed a thread. */
  download(jobId: string, entry: unknown, opts: DownloadOptions, sink: ProgressSink): Promise<DownloadResult> {
    return host.run(jobId, sink, (ctx) => downloadModel(parseModelEntry(entry), ctx, opts));
  },

  /** Job: import local files (folder or one zip), optionally as a given catalog entry. */
  importLocal(jobId: string, req: ImportRequest, sink: ProgressSink): Promise<ImportResult> {
    return host.run(jobId, sink, (ctx) => importLocalModel({ ...req, entry: req.entry ? parseModelEntry(req.entry) : undefined }, ctx));
  },

  /** Job: generate and store the built-in demo diffusion pipeline (no download). */
  installDemo(jobId: string, sink: ProgressSink): Promise<ImportResult> {
    return host.run(jobId, sink, (ctx) => installDemoPipeline(ctx));
  },

  /** Job: store a weight-only int8 (bits 8) or 4-bit MatMul + int8 (bits 4) copy of a ready diffusion pipeline. */
  quantize(jobId: string, sourceId: string, bits: QuantizedBits, sink: ProgressSink): Promise<QuantizePipelineResult> {
    return host.run(jobId, sink, (ctx) => quantizePipeline(sourceId, bits, ctx));
  },

  list(): Promise<StoredModel[]> {
    return listModels();
  },

  delete(id: string): Promise<void> {
    return deleteModel(id);
  },

  cancel(jobId: string): boolean {
    return host.cancel(jobId);
  },
};

export type ModelsApi = typeof api;
Comlink.expose(api);
