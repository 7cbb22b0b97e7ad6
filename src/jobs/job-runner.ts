// UI side of the job protocol: records every job in storage as it runs, so a reload
// shows what happened; holds a Web Lock per running job so another tab (or this one
// after a reload) can tell a live job from an interrupted one.
import { isCancellation, newJobId, type JobProgress, type JobRecord, type ProgressSink } from '../core/jobs';
import { stores } from '../storage/stores';
import { proxy } from '../workers/registry';

export interface JobSpec {
  kind: string;
  title: string;
  params: unknown;
  resumable: boolean;
  resumedFrom?: string;
}

export interface JobHandle<R> {
  id: string;
  result: Promise<R>;
  cancel(): Promise<void>;
}

type Listener = (jobs: JobRecord[]) => void;

const records = new Map<string, JobRecord>();
const listeners = new Set<Listener>();
const cancellers = new Map<string, () => Promise<unknown>>();
/** Progress is persisted at most this often; the panel still updates on every message. */
const PERSIST_MS = 1000;

function emit() {
  const list = [...records.values()].sort((a, b) => b.createdAt - a.createdAt);
  for (const l of listeners) l(list);
}

export function subscribeJobs(listener: Listener): () => void {
  listeners.add(listener);
  listener([...records.values()].sort((a, b) => b.createdAt - a.createdAt));
  return () => listeners.delete(listener);
}

/**
 * For pages whose stored records a job changes: returns a function that, given the job
 * list, says whether a matching job appeared or changed status since the last call.
 */
export function jobStatusChanges(match: (job: JobRecord) => boolean): (jobs: JobRecord[]) => boolean {
  const seen = new Map<string, JobRecord['status']>();
  return (jobs) => {
    let changed = false;
    for (const j of jobs) {
      if (match(j) && seen.get(j.id) !== j.status) {
        seen.set(j.id, j.status);
        changed = true;
      }
    }
    return changed;
  };
}

const lockName = (id: string) => `cxr-job:${id}`;

/** Loads stored jobs; running ones whose lock nobody holds were cut off by a reload or crash. */
export async function recoverJobs(): Promise<void> {
  const stored = await stores.jobs.entries();
  const held = new Set<string>();
  if (navigator.locks?.query) {
    const snapshot = await navigator.locks.query();
    for (const l of snapshot.held ?? []) if (l.name) held.add(l.name);
  }
  for (const [, rec] of stored) {
    if (rec.status === 'running' && !held.has(lockName(rec.id)) && !records.has(rec.id)) {
      rec.status = 'interrupted';
      rec.error = 'The page was closed or reloaded while this job ran.' + (rec.resumable ? ' It can be resumed from its last checkpoint.' : '');
      rec.updatedAt = Date.now();
      await stores.jobs.put(rec.id, rec);
    }
    if (!records.has(rec.id)) records.set(rec.id, rec);
  }
  emit();
}

export async function dismissJob(id: string): Promise<void> {
  const rec = records.get(id);
  if (!rec || rec.status === 'running') return;
  records.delete(id);
  await stores.jobs.delete(id);
  emit();
}

/**
 * Starts a job. `exec` calls the worker with the job id and a proxied progress sink;
 * `cancel` asks the worker to stop that job id.
 */
export function startJob<R extends { resultIds?: string[] } | object>(
  spec: JobSpec,
  exec: (jobId: string, sink: ProgressSink) => Promise<R>,
  cancel: (jobId: string) => Promise<unknown>,
): JobHandle<R> {
  const id = newJobId(spec.kind);
  const now = Date.now();
  const rec: JobRecord = {
    id,
    kind: spec.kind,
    title: spec.title,
    status: 'running',
    params: spec.params,
    resumable: spec.resumable,
    progress: { stage: 'starting', done: 0, total: 1, etaSeconds: null, message: '' },
    createdAt: now,
    updatedAt: now,
    resumedFrom: spec.resumedFrom,
  };
  records.set(id, rec);
  cancellers.set(id, () => cancel(id));
  emit();

  let lastPersist = 0;
  const persist = (force = false) => {
    const t = Date.now();
    if (!force && t - lastPersist < PERSIST_MS) return Promise.resolve();
    lastPersist = t;
    return stores.jobs.put(id, { ...rec }).catch(() => undefined);
  };
  const onProgress = (p: JobProgress) => {
    rec.progress = p;
    rec.updatedAt = Date.now();
    emit();
    void persist();
  };

  const run = async (): Promise<R> => {
    await persist(true);
    try {
      const result = await exec(id, proxy(onProgress));
      rec.status = 'succeeded';
      rec.progress = { ...rec.progress, done: rec.progress.total, etaSeconds: 0 };
      if (result && 'resultIds' in result && Array.isArray(result.resultIds)) rec.resultIds = result.resultIds;
      return result;
    } catch (e) {
      rec.status = isCancellation(e) ? 'cancelled' : 'failed';
      rec.error = isCancellation(e) ? 'Cancelled by the user.' : (e as Error)?.message || String(e);
      throw e;
    } finally {
      rec.updatedAt = Date.now();
      cancellers.delete(id);
      emit();
      await persist(true);
    }
  };

  const result = navigator.locks?.request ? navigator.locks.request(lockName(id), run) : run();
  return {
    id,
    result: result as Promise<R>,
    cancel: async () => {
      await cancellers.get(id)?.();
    },
  };
}

export async function cancelJob(id: string): Promise<void> {
  await cancellers.get(id)?.();
}
