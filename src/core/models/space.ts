// Whether a model download or import fits in the storage this origin may still use, decided
// before the first byte is fetched: a 4 GB pipeline that fails on quota after an hour of
// downloading is the failure this prevents. The browser's quota is an estimate (Chrome:
// a share of the free disk), so a small margin is kept.
import { formatBytes } from '../format';

export interface StorageEstimate {
  usageBytes: number | null;
  quotaBytes: number | null;
}

/** Kept free for IndexedDB records, thumbnails and checkpoints written during the job. */
export const STORAGE_MARGIN_BYTES = 64 * 1024 * 1024;

/** A message when `neededBytes` more will not fit, or null (also when the browser gives no estimate). */
export function storageShortfall(what: string, neededBytes: number, estimate: StorageEstimate, action: 'downloaded' | 'imported' = 'downloaded'): string | null {
  if (estimate.usageBytes === null || estimate.quotaBytes === null || !(neededBytes > 0)) return null;
  const free = Math.max(0, estimate.quotaBytes - estimate.usageBytes);
  if (neededBytes + STORAGE_MARGIN_BYTES <= free) return null;
  return (
    `${what} needs about ${formatBytes(neededBytes)} more local storage, but this browser lets this site use only ${formatBytes(free)} more ` +
    `(${formatBytes(estimate.usageBytes)} used of ${formatBytes(estimate.quotaBytes)}). Nothing was ${action}. ` +
    'Free disk space, or delete stored models, runs or synthetic images (Settings & status → Storage), then try again.'
  );
}
