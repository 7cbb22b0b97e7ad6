// What a long model task needs from its job: the same shape as workers/job-host's
// JobContext, declared here so this layer does not import the worker layer above it.
export interface TaskContext {
  readonly signal: AbortSignal;
  throwIfCancelled(): void;
  progress(stage: string, done: number, total: number, message?: string): void;
}

/** Lets a pending cancel message in (Comlink delivers it as a task on this thread). */
export const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));
