// Data worker: imports (folders, zips, files, label tables) and the built-in demo
// dataset, as jobs; a thin facade over data/import. Decoding runs here, off the page.
import * as Comlink from 'comlink';
import type { ProgressSink } from '../core/jobs';
import { CODEC_WASM_URLS } from '../data/codec-wasm-urls.browser';
import { configureCodecs } from '../data/codecs';
import { runDemoImport } from '../data/import/demo-job';
import { runImport } from '../data/import/import-job';
import type { DemoRequest, ImportFileInput, ImportRequest, ImportResult } from '../data/import/import-types';
import { decodeRate, type DecodeRate } from '../data/import/decode-rate';
import { JobHost } from './job-host';

// The codecs' wasm files are emitted by Vite; tell the Emscripten factories where.
configureCodecs({ wasmUrls: CODEC_WASM_URLS });

const host = new JobHost();

const api = {
  /** Job: import (or resume, with req.datasetId) files/folders/zips into a dataset. */
  importImages(jobId: string, req: ImportRequest, sink: ProgressSink): Promise<ImportResult> {
    return host.run(jobId, sink, (ctx) => runImport(req, ctx));
  },

  /** Job: create the built-in synthetic-demo dataset. */
  createDemo(jobId: string, req: DemoRequest, sink: ProgressSink): Promise<ImportResult> {
    return host.run(jobId, sink, (ctx) => runDemoImport(req, ctx));
  },

  /** Decode-only pass over files (no storage), for the import benchmark's reference rate. */
  decodeRate(files: ImportFileInput[], maxImageSide?: number): Promise<DecodeRate> {
    return decodeRate(files, maxImageSide);
  },

  cancel(jobId: string): boolean {
    return host.cancel(jobId);
  },
};

export type DataApi = typeof api;
Comlink.expose(api);
