// Worker side of the job protocol: one AbortController per running job, throttled
// progress with ETA, and cancellation checked cooperatively by the job body.
import { EtaEstimator, JobCancelledError, type JobContext, type JobProgress, type ProgressSink } from '../core/jobs';

export { yieldToEvents, type JobContext } from '../core/jobs';

export class JobHost {
  private readonly controllers = new Map<string, AbortController>();
  constructor(private readonly throttleMs = 200) {}

  async run<R>(jobId: string, sink: ProgressSink, body: (ctx: JobContext) => Promise<R>): Promise<R> {
    const controller = new AbortController();
    this.controllers.set(jobId, controller);
    let lastSent = 0;
    let stage = '';
    let eta = new EtaEstimator();
    const ctx: JobContext = {
      signal: controller.signal,
      throwIfCancelled() {
        if (controller.signal.aborted) throw new JobCancelledError();
      },
      progress: (s, done, total, message = '') => {
        if (s !== stage) {
          stage = s;
          eta = new EtaEstimator();
        }
        const etaSeconds = eta.estimate(done, total);
        const now = performance.now();
        if (now - lastSent < this.throttleMs && done < total && done !== 0) return;
        lastSent = now;
        const p: JobProgress = { stage: s, done, total, etaSeconds, message };
        // The sink is a Comlink proxy; a closed page must not fail the job.
        Promise.resolve(sink(p)).catch(() => undefined);
      },
    };
    try {
      return await body(ctx);
    } finally {
      this.controllers.delete(jobId);
    }
  }

  cancel(jobId: string): boolean {
    const c = this.controllers.get(jobId);
    c?.abort();
    return Boolean(c);
  }
}

