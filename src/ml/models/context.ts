// A long model task's view of its job: the app-wide JobContext (core/jobs.ts).
export { yieldToEvents, type JobContext as TaskContext } from '../../core/jobs';
