import { defineConfig } from '@playwright/test';

const port = Number(process.env.TEST_PORT ?? 4319);
const outDir = process.env.TEST_OUT_DIR ?? 'dist-test';

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.spec.ts',
  timeout: 300_000,
  expect: { timeout: 60_000 },
  // SwiftShader WebGPU is CPU-bound: one worker keeps the 2-core CI machine responsive.
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/browser.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--enable-unsafe-webgpu',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `npx vite build --mode test --logLevel warn && npx vite preview --mode test --outDir ${outDir} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 300_000,
    env: { TEST_OUT_DIR: outDir },
  },
});
