/** Raised instead of the browser's QuotaExceededError, with a message a user can act on. */
export class StorageFullError extends Error {
  constructor(what: string, cause?: unknown) {
    super(
      `Not enough local storage to save ${what}. Nothing already stored was changed. ` +
        'Free space by deleting old runs, synthetic images or models (Settings → Storage), or allow more storage for this site.',
    );
    this.name = 'StorageFullError';
    this.cause = cause;
  }
}

export function isQuotaError(e: unknown): boolean {
  if (!(e instanceof Error) && !(typeof DOMException !== 'undefined' && e instanceof DOMException)) return false;
  const err = e as { name?: string; code?: number; message?: string };
  // Chrome: QuotaExceededError (code 22); IDB transactions abort with it as the cause.
  return err.name === 'QuotaExceededError' || err.code === 22 || /quota/i.test(err.message ?? '');
}

export function rethrowStorageError(e: unknown, what: string): never {
  if (isQuotaError(e)) throw new StorageFullError(what, e);
  throw e;
}
