import { test, expect, openHarness } from './fixtures';

test('a job shows progress, can be cancelled, and its state survives a reload', async ({ page }) => {
  await page.goto('/#/status');
  await page.getByTestId('tfjs-pref').selectOption('webgpu');
  await expect(page.getByTestId('tfjs-status')).toContainText('tfjs backend: webgpu', { timeout: 120_000 });
  await page.getByTestId('self-check-steps').fill('5000');
  await page.getByTestId('tfjs-self-check').click();
  const job = page.getByTestId('job').first();
  await expect(job).toHaveAttribute('data-status', 'running');
  await expect(job).toContainText(/training tiny conv net — [1-9]\d*\/10000/);
  await expect(job).toContainText('ETA');
  await job.getByRole('button', { name: 'Cancel' }).click();
  await expect(job).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByTestId('self-check-error')).toContainText('cancelled');
  await page.reload();
  const after = page.getByTestId('job').first();
  await expect(after).toHaveAttribute('data-status', 'cancelled');
  await expect(after).toContainText('Cancelled by the user.');
});

test('a job cut off by a reload is reported as interrupted, not lost', async ({ page }) => {
  await page.goto('/#/status');
  await page.getByTestId('tfjs-pref').selectOption('webgpu');
  await expect(page.getByTestId('tfjs-status')).toContainText('tfjs backend: webgpu', { timeout: 120_000 });
  await page.getByTestId('self-check-steps').fill('5000');
  await page.getByTestId('tfjs-self-check').click();
  const job = page.getByTestId('job').first();
  await expect(job).toContainText(/training tiny conv net — [1-9]\d*\/10000/);
  // the runner persists progress about once a second
  await page.waitForTimeout(1500);
  await page.reload();
  const after = page.getByTestId('job').first();
  await expect(after).toHaveAttribute('data-status', 'interrupted');
  await expect(after.getByTestId('job-error')).toContainText('closed or reloaded');
  await expect(after).toContainText(/\/10000/);
});

test('a full disk gives a clear error and leaves earlier data intact', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const repo = window.harness.createRepository<{ v: number }>('quota-test');
    await repo.put('a', { v: 1 });
    const original = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    let error = '';
    let name = '';
    try {
      await repo.putMany([['a', { v: 2 }], ['b', { v: 3 }]]);
    } catch (e) {
      error = (e as Error).message;
      name = (e as Error).name;
    } finally {
      IDBObjectStore.prototype.put = original;
    }
    return { error, name, a: await repo.get('a'), b: await repo.get('b') };
  });
  expect(result.name).toBe('StorageFullError');
  expect(result.error).toContain('Not enough local storage');
  expect(result.error).toContain('Nothing already stored was changed');
  expect(result.a).toEqual({ v: 1 });
  expect(result.b).toBeUndefined();
});

test('storage usage is shown and "delete all local data" asks first, then clears every store', async ({ page }) => {
  await openHarness(page);
  await page.evaluate(async () => {
    await window.harness.stores.datasets.put('d1', { name: 'kept until deleted' });
  });
  await page.goto('/#/status');
  await expect(page.getByTestId('storage-usage')).toContainText(/Using .* of .* available/);
  await page.getByTestId('delete-all').click();
  await expect(page.getByRole('alertdialog', { name: 'Confirm deletion' })).toBeVisible();
  await page.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('storage-message')).toContainText('All local data was deleted');
  await openHarness(page);
  expect(await page.evaluate(() => window.harness.stores.datasets.keys())).toEqual([]);
});
