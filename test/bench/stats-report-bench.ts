// The report's bootstrap job as the stats worker runs it (src/report/stats.ts): one pair of
// runs on 10,000 test images, resampled in chunks with a yield to the event loop between
// chunks (where a cancel is noticed), giving both runs' CIs and the paired differences.
// Compared with one uninterrupted pairedBootstrap call, this shows what chunking costs.
// Run through `npm run bench:stats` (test/bench/stats-run.mjs).
import { createRng } from '../../src/core/random';
import { pairedBootstrap } from '../../src/core/stats';
import { buildReportModel, planBootstrap, runBootstrapPlan } from '../../src/report';
import { parseReport } from '../../src/core/report';

const RESAMPLES = 2000;

function records(n: number, seed: number, shift: number) {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = rng.next() < 0.4 ? 1 : 0;
    const logit = rng.normal() + shift * label - 0.5;
    return { imageId: `img-${i}`, label: label as 0 | 1, score: Math.round(1e4 / (1 + Math.exp(-logit))) / 1e4 };
  });
}

export async function runReportJobBench(log: (line: string) => void = console.log): Promise<void> {
  const n = 10_000;
  const base = records(n, 11, 1.6);
  const aug = records(n, 11, 1.9); // same seed: same labels, different scores
  const report = parseReport({
    schemaVersion: 1,
    study: { title: 'bench' },
    bootstrap: { resamples: RESAMPLES, seed: 7, confidence: 0.95 },
    tasks: [
      {
        id: 't',
        name: 't',
        positiveClass: 'p',
        negativeClass: 'n',
        dataSummary: { splits: {} },
        runs: [
          { id: 'b', label: 'baseline', seed: 1, test: base },
          { id: 'a', label: 'augmented', seed: 1, test: aug },
        ],
      },
    ],
  });
  const model = buildReportModel(report);
  const plan = planBootstrap(model);
  const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));
  let chunks = 0;
  await runBootstrapPlan({ ...plan, settings: { ...plan.settings, resamples: 100 } }); // warm-up
  const t0 = performance.now();
  await runBootstrapPlan(plan, { between: async () => (chunks++, yieldToEvents()) });
  const job = performance.now() - t0;
  const labels = base.map((r) => r.label);
  const t1 = performance.now();
  pairedBootstrap(labels, { scores: base.map((r) => r.score), threshold: 0.5 }, { scores: aug.map((r) => r.score), threshold: 0.5 }, { seed: 7, resamples: RESAMPLES });
  const direct = performance.now() - t1;
  log('');
  log(`report bootstrap job (as in the stats worker), one baseline/augmented pair, n = ${n}, ${RESAMPLES} resamples`);
  log(`  chunked job with ${chunks} yields (CIs of both runs + paired Δ, CI, p): ${job.toFixed(0)} ms`);
  log(`  one uninterrupted pairedBootstrap call (paired Δ only):               ${direct.toFixed(0)} ms`);
}
