import { stores } from './stores';
import { clearOpfs } from './opfs';

export interface StorageStatus {
  usageBytes: number | null;
  quotaBytes: number | null;
  persisted: boolean | null;
}

export async function storageStatus(): Promise<StorageStatus> {
  const s = navigator.storage;
  const est = s?.estimate ? await s.estimate() : undefined;
  const persisted = s?.persisted ? await s.persisted() : null;
  return { usageBytes: est?.usage ?? null, quotaBytes: est?.quota ?? null, persisted };
}

/** Asks the browser not to evict our data under storage pressure. Returns whether granted. */
export async function requestPersistence(): Promise<boolean> {
  return navigator.storage?.persist ? navigator.storage.persist() : false;
}

/**
 * Clears every store rather than deleting the databases: our own open connections
 * would block deleteDatabase until reload, leaving the user unsure what happened.
 */
export async function deleteAllLocalData(): Promise<void> {
  await Promise.all(Object.values(stores).map((r) => r.clear()));
  await clearOpfs();
}
