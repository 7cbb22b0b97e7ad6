// The job protocol shared by the UI-side runner (jobs/) and the worker-side host
// (workers/job-host.ts). See ARCHITECTURE.md, "Long work is a job".

export interface JobProgress {
  stage: string;
  done: number;
  total: number;
  /** null while the rate is still unknown */
  etaSeconds: number | null;
  message: string;
}

export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRecord {
  id: string;
  kind: string;
  title: string;
  status: JobStatus;
  /** JSON-serialisable parameters, enough to start the job again */
  params: unknown;
  /** true when a job of this kind picks up its own checkpoint when started again */
  resumable: boolean;
  progress: JobProgress;
  createdAt: number;
  updatedAt: number;
  error?: string;
  /** ids of stored results (never large arrays) */
  resultIds?: string[];
  /** id of the job this one resumed, if any */
  resumedFrom?: string;
}

export type ProgressSink = (p: JobProgress) => void;

/** Thrown inside a job when it notices its cancellation; the runner records `cancelled`. */
export class JobCancelledError extends Error {
  constructor() {
    super('cancelled by user');
    this.name = 'JobCancelledError';
  }
}

export function isCancellation(e: unknown): boolean {
  return e instanceof JobCancelledError || (e instanceof Error && e.name === 'JobCancelledError');
}

/**
 * ETA from an exponentially smoothed rate. The first `warmup` units are ignored for
 * the rate because they usually include one-off setup (shader compilation, model load).
 */
export class EtaEstimator {
  private startT: number | null = null;
  private startDone = 0;
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly warmup = 1,
  ) {}

  estimate(done: number, total: number): number | null {
    if (done >= total) return 0;
    if (this.startT === null) {
      if (done >= Math.min(this.warmup, total)) {
        this.startT = this.now();
        this.startDone = done;
      }
      return null;
    }
    const elapsed = (this.now() - this.startT) / 1000;
    const progressed = done - this.startDone;
    if (progressed <= 0 || elapsed <= 0) return null;
    return ((total - done) * elapsed) / progressed;
  }
}

export function newJobId(kind: string): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return `${kind}-${Date.now().toString(36)}-${rand}`;
}

/** What a job body sees (implemented by workers/job-host.ts); declared here so ml/ and data/ need not import the worker layer. */
export interface JobContext {
  readonly signal: AbortSignal;
  /** throws JobCancelledError once the job was cancelled */
  throwIfCancelled(): void;
  /** reports progress; the host throttles and adds the ETA */
  progress(stage: string, done: number, total: number, message?: string): void;
}

/** Yields to the event loop so a pending cancel message (a Comlink call) can be handled. */
export const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));
