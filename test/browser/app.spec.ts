import { test, expect, openHarness, collectConsoleErrors } from './fixtures';

test('the built app loads, shows the WebGPU adapter and the chosen backends', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Study steps' })).toBeVisible();
  await page.goto('/#/status');
  await expect(page.getByTestId('gpu-vendor')).toContainText(/\w+ \/ \w+/, { timeout: 120_000 });
  await expect(page.getByTestId('gpu-vendor')).toContainText('swiftshader');
  // SwiftShader is a software adapter: the automatic choice is wasm, and the panel says why.
  await expect(page.getByTestId('tfjs-status')).toContainText('tfjs backend: wasm');
  await expect(page.getByTestId('tfjs-status')).toContainText('software renderer (swiftshader)');
  await expect(page.getByTestId('ort-status')).toContainText('execution provider: wasm');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(errors).toEqual([]);
});

test('a forced backend persists across reloads and is applied', async ({ page }) => {
  await page.goto('/#/status');
  await expect(page.getByTestId('tfjs-status')).toContainText('tfjs backend: wasm', { timeout: 120_000 });
  await page.getByTestId('tfjs-pref').selectOption('webgpu');
  await expect(page.getByTestId('tfjs-status')).toContainText('tfjs backend: webgpu; forced to webgpu in Settings');
  await page.getByTestId('ort-pref').selectOption('webgpu');
  await expect(page.getByTestId('ort-status')).toContainText('execution provider: webgpu; forced to webgpu in Settings');
  // The probe session was released (ORT then destroys its device): that is not a device loss.
  await page.getByTestId('ort-self-check').click();
  await expect(page.getByTestId('ort-self-check-result')).toContainText('agree');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByTestId('tfjs-pref').selectOption('cpu');
  await expect(page.getByTestId('tfjs-status')).toContainText('tfjs backend: cpu; forced to cpu in Settings');
  await page.reload();
  await expect(page.getByTestId('tfjs-pref')).toHaveValue('cpu');
  await expect(page.getByTestId('tfjs-status')).toContainText('tfjs backend: cpu', { timeout: 120_000 });
});

test('tfjs: a tiny conv net trained in a worker gives the same numbers on webgpu and cpu', async ({ page }) => {
  await openHarness(page);
  const report = await page.evaluate(async () => {
    const accel = window.harness.accel();
    const r = await accel.detect({ tfjs: 'webgpu', ort: 'auto' });
    const check = await accel.tfjsSelfCheck('t1', { backend: 'webgpu', steps: 5, seed: 7 }, window.harness.proxy(() => {}));
    return { active: r.tfjs.outcome.active, check };
  });
  expect(report.active).toBe('webgpu');
  expect(report.check.lossesBackend).toHaveLength(5);
  // training must actually move: the loss changes between steps
  expect(report.check.lossesBackend[4]).not.toBeCloseTo(report.check.lossesBackend[0], 6);
  expect(report.check.maxRelDiffLoss).toBeLessThan(1e-4);
  expect(report.check.maxRelDiffWeights).toBeLessThan(1e-4);
});

test('ORT: the WebGPU EP in a worker matches the wasm EP and the diffusers reference on a fixture model', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const h = window.harness;
    const accel = h.accel();
    const model = await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/vae_decoder/model.onnx');
    const input = new Float32Array((await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/refs/vae_decoder__case0__latent_sample.bin')).buffer);
    const expected = new Float32Array((await h.fetchBytes('/__shared__/fixtures/diffusion-tiny/refs/vae_decoder__case0__sample.bin')).buffer);
    const req = { model, feeds: { latent_sample: { data: input, dims: [1, 4, 32, 32], type: 'float32' as const } } };
    const gpu = await accel.ortRun(req, 'webgpu');
    const wasm = await accel.ortRun(req, 'wasm');
    const rel = (a: Float32Array, b: Float32Array) => {
      let d = 0, m = 0;
      for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
      return d / m;
    };
    const self = await accel.ortSelfCheck('webgpu');
    return { gpuVsWasm: rel(gpu.sample, wasm.sample), gpuVsRef: rel(gpu.sample, expected), n: gpu.sample.length, selfCheck: self.maxRelDiff };
  });
  expect(result.n).toBe(3 * 64 * 64);
  expect(result.gpuVsWasm).toBeLessThan(1e-4);
  expect(result.gpuVsRef).toBeLessThan(1e-4);
  expect(result.selfCheck).toBeLessThan(1e-4);
});
