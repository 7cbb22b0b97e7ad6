// Every browser test gets a page whose requests are all recorded: anything leaving the
// app's origin fails the test (privacy by construction). ../shared files are served to
// tests under /__shared__/ from the same origin, as a user's local files would be.
import { test as base, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { resolve, normalize } from 'node:path';

export const sharedRoot = resolve(import.meta.dirname, '../../../shared');

/** Requests served from /__shared__/ in the current test, with their Range header (tests may assert resumes). */
export const sharedRequests: { url: string; range: string | null; status: number }[] = [];

export const test = base.extend<{ offOrigin: string[] }>({
  offOrigin: [
    async ({ context, baseURL }, use) => {
      const origin = new URL(baseURL!).origin;
      const offOrigin: string[] = [];
      sharedRequests.length = 0;
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith(origin + '/__shared__/')) {
          const rel = normalize(decodeURIComponent(new URL(url).pathname.slice('/__shared__/'.length)));
          if (rel.startsWith('..')) return route.abort();
          const range = route.request().headers()['range'] ?? null;
          let body: Buffer;
          try {
            body = await readFile(resolve(sharedRoot, rel));
          } catch {
            sharedRequests.push({ url, range, status: 404 });
            return route.fulfill({ status: 404 });
          }
          const headers = { 'Cross-Origin-Resource-Policy': 'same-origin', 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
          // Single "bytes=N-" / "bytes=N-M" ranges, as resumable model downloads send them.
          const m = range && /^bytes=(\d+)-(\d*)$/.exec(range);
          if (m) {
            const start = Number(m[1]);
            const end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
            if (start >= body.length) {
              sharedRequests.push({ url, range, status: 416 });
              return route.fulfill({ status: 416, headers: { ...headers, 'Content-Range': `bytes */${body.length}` } });
            }
            sharedRequests.push({ url, range, status: 206 });
            return route.fulfill({ status: 206, body: body.subarray(start, end + 1), headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${body.length}` } });
          }
          sharedRequests.push({ url, range, status: 200 });
          return route.fulfill({ body, headers });
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

/** The app page has no harness: storage is read from a harness page of the same origin (same IndexedDB). */
const harnessPages = new WeakMap<Page, Page>();
export async function harnessFor(page: Page): Promise<Page> {
  let h = harnessPages.get(page);
  if (!h) {
    h = await page.context().newPage();
    await openHarness(h);
    harnessPages.set(page, h);
    // File inputs of a page left in the background hang in setInputFiles.
    await page.bringToFront();
  }
  return h;
}
