// The Synthesis page in a browser without a WebGPU adapter (Chromium without
// --enable-unsafe-webgpu has none here: no GPU and no SwiftShader WebGPU): a run for which
// WebGPU was chosen is refused with a clear error before the run is stored or its model loaded.
import { test, expect } from './fixtures';
import { configure, openSynthesis, setup, storedRuns } from './synthesis-setup';
import config from '../../playwright.config';

// The suite's browser minus WebGPU. launchOptions start a new browser, so Playwright takes them per file only.
const launchOptions = config.use!.launchOptions!;
test.use({ launchOptions: { ...launchOptions, args: launchOptions.args!.filter((a) => a !== '--enable-unsafe-webgpu') } });

test('Synthesis page: a WebGPU run fails with a clear error before anything is generated or stored', async ({ page }) => {
  test.setTimeout(180_000);
  const s = await setup(page);
  const settings = await openSynthesis(page, s);
  const plan = page.getByTestId('synthesis-provider-plan');
  await expect(plan).toContainText('runs on wasm: WebGPU unavailable', { timeout: 120_000 });
  await configure(page, { count: 1, steps: 2, strength: 0.5, provider: 'webgpu' });
  const message = /^WebGPU was chosen for this run, but this browser has no WebGPU adapter \(.+\); choose automatic or wasm \(CPU\) instead$/;
  await expect(plan).toHaveText(new RegExp(`^Execution provider: ${message.source.slice(1)}`));
  await expect(settings.getByTestId('synthesis-start')).toBeEnabled();
  await settings.getByTestId('synthesis-start').click();
  await expect(page.getByTestId('synthesis-error')).toHaveText(message);
  const job = page.getByTestId('job-panel').locator('[data-testid="job"][data-kind="synthesis"]');
  await expect(job).toHaveAttribute('data-status', 'failed');
  // Refused before the run was stored: no run record, no synthetic image.
  expect(await storedRuns(s)).toEqual([]);
  expect(await s.h.evaluate((d) => window.harness.syntheticRepo.listSyntheticImages(d).then((r) => r.length), s.datasetId)).toBe(0);
  await expect(page.getByTestId('synthesis-runs')).toHaveCount(0);
});
