import { describe, expect, it } from 'vitest';
import { STORAGE_MARGIN_BYTES, storageShortfall } from '../../../src/core/models/space';

const GB = 1024 ** 3;

describe('storageShortfall', () => {
  it('passes when the files fit with the margin to spare', () => {
    expect(storageShortfall('SD-1.5', 4 * GB, { usageBytes: 1 * GB, quotaBytes: 10 * GB })).toBeNull();
  });

  it('names what is needed, what is free and what was not done when they do not fit', () => {
    const msg = storageShortfall('SD-1.5', 4 * GB, { usageBytes: 7 * GB, quotaBytes: 10 * GB });
    expect(msg).toContain('SD-1.5 needs about 4.0 GB more');
    expect(msg).toContain('only 3.0 GB more');
    expect(msg).toContain('7.0 GB used of 10.0 GB');
    expect(msg).toContain('Nothing was downloaded.');
    expect(storageShortfall('x', 4 * GB, { usageBytes: 7 * GB, quotaBytes: 10 * GB }, 'imported')).toContain('Nothing was imported.');
  });

  it('keeps the margin free', () => {
    const quota = 10 * GB;
    const usage = quota - 1 * GB;
    expect(storageShortfall('m', 1 * GB - STORAGE_MARGIN_BYTES, { usageBytes: usage, quotaBytes: quota })).toBeNull();
    expect(storageShortfall('m', 1 * GB - STORAGE_MARGIN_BYTES + 1, { usageBytes: usage, quotaBytes: quota })).not.toBeNull();
  });

  it('does not block when the browser gives no estimate, or nothing is needed', () => {
    expect(storageShortfall('m', 4 * GB, { usageBytes: null, quotaBytes: null })).toBeNull();
    expect(storageShortfall('m', 0, { usageBytes: 10 * GB, quotaBytes: 10 * GB })).toBeNull();
    // usage above quota (possible with an overridden quota) counts as no space
    expect(storageShortfall('m', 1, { usageBytes: 11 * GB, quotaBytes: 10 * GB })).not.toBeNull();
  });
});
