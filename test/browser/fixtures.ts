// Every browser test gets a page whose requests are all recorded: anything leaving the
// app's origin fails the test (privacy by construction). ../shared files are served to
// tests under /__shared__/ from the same origin, as a user's local files would be.
import { test as base, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { resolve, normalize } from 'node:path';

export const sharedRoot = resolve(import.meta.dirname, '../../../shared');

export const test = base.extend<{ offOrigin: string[] }>({
  offOrigin: [
    async ({ context, baseURL }, use) => {
      const origin = new URL(baseURL!).origin;
      const offOrigin: string[] = [];
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith(origin + '/__shared__/')) {
          const rel = normalize(decodeURIComponent(new URL(url).pathname.slice('/__shared__/'.length)));
          if (rel.startsWith('..')) return route.abort();
          try {
            const body = await readFile(resolve(sharedRoot, rel));
            return route.fulfill({ body, headers: { 'Cross-Origin-Resource-Policy': 'same-origin', 'Content-Type': 'application/octet-stream' } });
          } catch {
            return route.fulfill({ status: 404 });
          }
        }
        if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) {
          offOrigin.push(url);
          return route.abort();
        }
        return route.continue();
      });
      context.on('request', (req) => {
        const url = req.url();
        if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) offOrigin.push(url);
      });
      await use(offOrigin);
      expect(offOrigin, 'requests that left the app origin').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export async function openHarness(page: Page): Promise<void> {
  await page.goto('/test/browser/harness/index.html');
  await expect(page.locator('#ready')).toHaveText('ready');
}

export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}
