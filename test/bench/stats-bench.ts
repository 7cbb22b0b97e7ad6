// Benchmark of the bootstrap engine against a straightforward loop. Run with
// `node test/bench/stats-run.mjs` (see that file). Prints timings; asserts nothing except
// that a split-and-merged job equals the single-run job.
import { availableParallelism, loadavg } from 'node:os';
import { binaryMetrics } from '../../src/core/metrics';
import { createRng } from '../../src/core/random';
import { bootstrapMetrics, BOOTSTRAP_METRICS, mergeReplicateBlocks, pairedBootstrap, prepareSample, runResamples } from '../../src/core/stats';

const RESAMPLES = 2000;
const PREVALENCE = 0.4;

function syntheticTestSet(n: number, seed: number, shift: number) {
  const rng = createRng(seed);
  const labels = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.next() < PREVALENCE ? 1 : 0;
    // Logistic scores rounded to 4 decimals: overlapping classes with some tied scores.
    const logit = rng.normal() + shift * labels[i] - 0.5;
    scores[i] = Math.round(1e4 / (1 + Math.exp(-logit))) / 1e4;
  }
  return { labels, scores };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(repeats: number, f: () => void): number {
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** The straightforward way: build each stratified resample as arrays, call binaryMetrics. */
function naiveBootstrap(labels: Uint8Array, scores: Float64Array, threshold: number, resamples: number): number {
  const positives: number[] = [], negatives: number[] = [];
  labels.forEach((y, i) => (y === 1 ? positives : negatives).push(i));
  const rng = createRng(1);
  let checksum = 0;
  for (let b = 0; b < resamples; b++) {
    const ys: number[] = [], ss: number[] = [];
    for (let k = 0; k < positives.length; k++) {
      const i = positives[rng.int(positives.length)];
      ys.push(1);
      ss.push(scores[i]);
    }
    for (let k = 0; k < negatives.length; k++) {
      const i = negatives[rng.int(negatives.length)];
      ys.push(0);
      ss.push(scores[i]);
    }
    const m = binaryMetrics(ys, ss, threshold);
    checksum += (m.auroc ?? 0) + (m.averagePrecision ?? 0) + (m.mcc ?? 0);
  }
  return checksum;
}

export function runStatsBench(log: (line: string) => void = console.log): void {
  log(`stats bootstrap benchmark — ${BOOTSTRAP_METRICS.length} metrics, ${RESAMPLES} stratified resamples, single thread`);
  log(`node ${process.version}, ${process.arch}, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at start`);
  for (const n of [1000, 10_000]) {
    const base = syntheticTestSet(n, 11, 1.6);
    const aug = syntheticTestSet(n, 11, 1.9);
    const threshold = 0.5;
    // Warm-up so the JIT has compiled the hot loops before timing.
    bootstrapMetrics(base.labels, base.scores, threshold, { seed: 7, resamples: 100 });

    const repeats = n <= 1000 ? 7 : 3;
    const single = time(repeats, () => bootstrapMetrics(base.labels, base.scores, threshold, { seed: 7, resamples: RESAMPLES }));
    const paired = time(repeats, () =>
      pairedBootstrap(base.labels, { scores: base.scores, threshold }, { scores: aug.scores, threshold }, { seed: 7, resamples: RESAMPLES }),
    );

    const naiveResamples = n <= 1000 ? RESAMPLES : 200;
    const naiveMs = time(1, () => naiveBootstrap(base.labels, base.scores, threshold, naiveResamples)) * (RESAMPLES / naiveResamples);

    const sample = prepareSample(base.labels, [{ scores: base.scores, threshold }]);
    const whole = runResamples(sample, { seed: 7, end: RESAMPLES });
    const merged = mergeReplicateBlocks([
      runResamples(sample, { seed: 7, start: 1300, end: RESAMPLES }),
      runResamples(sample, { seed: 7, start: 0, end: 1300 }),
    ]);
    const identical = whole.values.length === merged.values.length && whole.values.every((v, i) => Object.is(v, merged.values[i]));

    log('');
    log(`n = ${n} images (${base.labels.reduce((s, y) => s + y, 0)} positive)`);
    log(`  bootstrap job, one model  (resample + jackknife + percentile/BCa CIs): ${single.toFixed(0)} ms`);
    log(`  paired bootstrap job, two models (Δ, CIs, p for every metric):       ${paired.toFixed(0)} ms`);
    log(
      `  naive loop (arrays + binaryMetrics incl. Clopper–Pearson, per resample): ${naiveMs.toFixed(0)} ms` +
        (naiveResamples < RESAMPLES ? ` (measured on ${naiveResamples} resamples, scaled ×${RESAMPLES / naiveResamples})` : ''),
    );
    log(`  speed-up vs naive loop: ×${(naiveMs / single).toFixed(1)}`);
    log(`  split into [1300, 2000) + [0, 1300) and merged = one run: ${identical ? 'yes' : 'NO'}`);
    if (!identical) throw new Error('split/merge changed the replicates');
    if (n === 10_000) log(`  target 10,000 × 2,000 under 10 s: ${single < 10_000 ? 'met' : 'NOT met'} (${(single / 1000).toFixed(2)} s)`);
  }
}
