// Runs test/bench/stats-bench.ts under plain Node: Vite's module runner (`runnerImport`)
// transpiles the TypeScript on the fly, so no extra tool (tsx, vite-node) is needed.
//   node test/bench/stats-run.mjs
import { runnerImport } from 'vite';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./stats-bench.ts', import.meta.url));
const { module } = await runnerImport(entry, { configFile: false, logLevel: 'error' });
module.runStatsBench();
// The report's job as the stats worker runs it (chunked, with yields for cancellation).
const report = await runnerImport(fileURLToPath(new URL('./stats-report-bench.ts', import.meta.url)), { configFile: false, logLevel: 'error' });
await report.module.runReportJobBench();
