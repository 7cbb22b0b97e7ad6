// Job launchers for the UI: each binds a worker method to the job runner.
import type { TfjsBackendName } from '../core/backends';
import { startJob } from '../jobs/job-runner';
import { getWorker } from '../workers/registry';

export function startTfjsSelfCheck(backend: TfjsBackendName, steps: number) {
  const params = { backend, steps, seed: 1234 };
  const accel = getWorker('accel');
  return startJob(
    { kind: 'tfjs-self-check', title: `Backend check: train a tiny conv net on ${backend} and cpu`, params, resumable: false },
    (jobId, sink) => accel.tfjsSelfCheck(jobId, params, sink),
    (jobId) => accel.cancel(jobId),
  );
}
