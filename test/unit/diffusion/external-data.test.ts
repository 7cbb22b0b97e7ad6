// Large external-data files reach ORT as blob: URLs (it streams URLs; a Blob it reads with
// arrayBuffer(), which Chrome refuses above ~2 GiB), small ones as they are.
import { describe, expect, it } from 'vitest';
import { EXTERNAL_DATA_URL_BYTES, externalDataForOrt } from '../../../src/ml/diffusion/runtime/component-session';

/** A Blob that reports a large size without holding the bytes. */
class SizedBlob extends Blob {
  constructor(private readonly claimed: number) {
    super([new Uint8Array(4)]);
  }
  override get size() {
    return this.claimed;
  }
}

describe('externalDataForOrt', () => {
  it('passes files of 1 GiB or more as blob: URLs and revokes them on release; smaller blobs and URLs unchanged', async () => {
    const small = new Blob([new Uint8Array(10)]);
    const big = new SizedBlob(3.44e9);
    const { entries, release } = externalDataForOrt([
      { path: 'a.bin', data: small },
      { path: 'weights.pb', data: big },
      { path: 'c.bin', data: '/models/c.bin' },
      { path: 'edge.bin', data: new SizedBlob(EXTERNAL_DATA_URL_BYTES) },
    ]);
    expect(entries[0].data).toBe(small);
    expect(entries[2].data).toBe('/models/c.bin');
    const url = entries[1].data as string;
    expect(url).toMatch(/^blob:/);
    expect(entries[3].data).toMatch(/^blob:/);
    expect(entries.map((e) => e.path)).toEqual(['a.bin', 'weights.pb', 'c.bin', 'edge.bin']);
    expect((await fetch(url)).ok).toBe(true);
    release();
    await expect(fetch(url)).rejects.toThrow();
  });
});
