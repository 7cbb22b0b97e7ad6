#!/usr/bin/env node
// Runs a browser benchmark: builds the test bundle, serves it, opens the harness page in
// headless Chromium (same flags as the tests) and calls `run({ page, log, args })` from
// test/bench/<name>.bench.mjs. Figures are printed, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { delimiter, join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';

const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: node test/bench/browser-bench.mjs <name> [args…]');
  process.exit(2);
}
const port = Number(process.env.BENCH_PORT ?? 4391);
const outDir = process.env.TEST_OUT_DIR ?? 'dist-bench';
const sharedRoot = resolve(import.meta.dirname, '../../../shared');

const build = spawnSync('npx', ['vite', 'build', '--mode', 'test', '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, TEST_OUT_DIR: outDir } });
if (build.status !== 0) process.exit(build.status ?? 1);
// Local folders named on the command line or in BENCH_VAE, and a scratch folder for files a benchmark
// prepares (BENCH_TMP), are streamed by the preview server under /__local__/<absolute path>.
const benchTmp = mkdtempSync(join(tmpdir(), 'cxr-bench-'));
process.env.BENCH_TMP = benchTmp;
const localRoots = [...[...args, process.env.BENCH_VAE ?? ''].filter((a) => a && existsSync(a) && statSync(a).isDirectory()).map((a) => resolve(a)), benchTmp];
// Its own process group: npx starts vite as a child, and killing only npx left vite
// serving (and holding the port, with the previous run's folders) after the benchmark.
const server = spawn('npx', ['vite', 'preview', '--mode', 'test', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
  stdio: 'ignore',
  detached: true,
  env: { ...process.env, BENCH_LOCAL_ROOTS: localRoots.join(delimiter) },
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(base + '/')).ok) break;
  } catch {
    await new Promise((r) => setTimeout(r, 200));
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
});
try {
  const context = await browser.newContext({ baseURL: base });
  // ../shared served same-origin under /__shared__/, as in the tests (local folders: the preview server)
  await context.route('**/__shared__/**', async (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname.slice('/__shared__/'.length));
    try {
      route.fulfill({ body: await readFile(resolve(sharedRoot, rel)), headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } });
    } catch {
      route.fulfill({ status: 404 });
    }
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.error('[page]', m.text());
  });
  await page.goto('/test/browser/harness/index.html');
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  const mod = await import(resolve(import.meta.dirname, `${name}.bench.mjs`));
  await mod.run({ page, log: (...a) => console.log(...a), args });
} finally {
  await browser.close();
  process.kill(-server.pid);
  rmSync(benchTmp, { recursive: true, force: true });
}
