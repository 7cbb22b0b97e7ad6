#!/usr/bin/env node
// Runs every suite (type-check, lint, unit, browser) even when one fails, then prints a
// single closing line "N passed, M failed" totalling them all. Exit code 1 on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';

const only = process.argv.slice(2);
const suites = [
  { name: 'type-check', cmd: 'npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output machine && npx tsc -p tsconfig.node.json --noEmit' },
  { name: 'lint', cmd: 'npx eslint --max-warnings 0 .' },
  { name: 'unit', cmd: 'npx vitest run', report: 'test-results/unit.json', count: countVitest },
  { name: 'browser', cmd: 'npx playwright test', report: 'test-results/browser.json', count: countPlaywright },
].filter((s) => only.length === 0 || only.includes(s.name));

function countVitest(json) {
  return { passed: json.numPassedTests ?? 0, failed: (json.numFailedTests ?? 0) + (json.numTotalTestSuites && json.success === false && !json.numFailedTests ? 1 : 0) };
}

function countPlaywright(json) {
  const s = json.stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: (s.unexpected ?? 0) + (json.errors?.length ?? 0) };
}

mkdirSync('test-results', { recursive: true });
let passed = 0;
let failed = 0;
const lines = [];
for (const s of suites) {
  if (s.report) rmSync(s.report, { force: true });
  const t0 = Date.now();
  console.log(`\n=== ${s.name}: ${s.cmd}`);
  const r = spawnSync(s.cmd, { shell: true, stdio: 'inherit' });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  let p = 0;
  let f = 0;
  if (s.count) {
    if (existsSync(s.report)) ({ passed: p, failed: f } = s.count(JSON.parse(readFileSync(s.report, 'utf8'))));
    // a runner that crashed before reporting, or exited non-zero without a failed test, is a failure
    if (r.status !== 0 && f === 0) f = 1;
  } else if (r.status === 0) p = 1;
  else f = 1;
  passed += p;
  failed += f;
  lines.push(`${s.name}: ${p} passed, ${f} failed (${secs} s)`);
}
console.log('\n' + lines.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
