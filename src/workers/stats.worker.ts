// Statistics worker: a thin Comlink facade over src/report/stats.ts. The bootstrap of a
// report runs as a job: progress with ETA through JobHost, cancellation noticed between
// chunks of resamples (each chunk yields to the event loop so the cancel message arrives).
import * as Comlink from 'comlink';
import type { ProgressSink } from '../core/jobs';
import { runBootstrapPlan, type BootstrapPlan, type ReportStats } from '../report/stats';
import { JobHost, yieldToEvents } from './job-host';

const host = new JobHost();

const api = {
  /** Stratified bootstrap of every run and paired bootstrap of every pair in the plan. */
  async bootstrapReport(jobId: string, plan: BootstrapPlan, sink: ProgressSink): Promise<ReportStats> {
    return host.run(jobId, sink, async (ctx) => {
      const started = performance.now();
      ctx.progress('bootstrap', 0, plan.items.length * plan.settings.resamples, `${plan.settings.resamples} resamples, seed ${plan.settings.seed}`);
      const stats = await runBootstrapPlan(plan, {
        onProgress: (done, total, message) => ctx.progress('bootstrap', done, total, message),
        between: async () => {
          await yieldToEvents();
          ctx.throwIfCancelled();
        },
      });
      ctx.progress('bootstrap', plan.items.length * plan.settings.resamples, plan.items.length * plan.settings.resamples, `done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return stats;
    });
  },

  cancel(jobId: string): boolean {
    return host.cancel(jobId);
  },
};

export type StatsApi = typeof api;
Comlink.expose(api);
