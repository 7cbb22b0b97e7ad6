// Quality worker: FID, KID, diversity and memorisation of a synthetic set from pooled
// Inception features (computed by the classifier worker). A thin facade over
// ml/diffusion/synthesis/quality-report; separate from the diffusion worker so quality can
// be measured while a synthesis run holds the GPU, and from the page so the O(n²·d)
// distance work never blocks the UI.
import * as Comlink from 'comlink';
import type { ProgressSink } from '../core/jobs';
import { frechetInceptionDistance, featureSet, type FidResult } from '../core/quality';
import { qualityReport, type QualityInput } from '../ml/diffusion/synthesis/quality-report';
import type { SynthesisQuality } from '../storage/synthetic-repo';
import { JobHost } from './job-host';

const host = new JobHost();

const api = {
  /** Job: the full quality report of a synthetic set. */
  report(jobId: string, input: QualityInput, sink: ProgressSink): Promise<SynthesisQuality> {
    return host.run(jobId, sink, async (ctx) => qualityReport(input, (stage, done, total) => {
      ctx.throwIfCancelled();
      ctx.progress(stage, done, total);
    }));
  },

  /** FID of two feature sets (row-major, d columns): the same computation the report uses. */
  fid(x: Float32Array, y: Float32Array, d: number): FidResult {
    return frechetInceptionDistance(featureSet(x, d), featureSet(y, d));
  },

  cancel(jobId: string): boolean {
    return host.cancel(jobId);
  },
};

export type QualityApi = typeof api;
Comlink.expose(api);
