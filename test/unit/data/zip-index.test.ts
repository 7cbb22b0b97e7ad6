import { describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { zipEntryNames } from '../../../src/data/import/zip-index';
import { makeThumbnail, THUMB_SIDE } from '../../../src/data/import/thumbnail';

describe('zip central directory listing', () => {
  it('lists file entries without directories or archive clutter', async () => {
    const zip = zipSync({ 'set/train/NORMAL/a.jpeg': strToU8('x'), 'set/train/NORMAL/': new Uint8Array(0), '__MACOSX/set/._a.jpeg': strToU8('y'), 'set/.DS_Store': strToU8('z'), 'set/b.dcm': strToU8('w') }, { comment: 'a comment moves the end record' });
    expect(await zipEntryNames(new Blob([zip]))).toEqual(['set/train/NORMAL/a.jpeg', 'set/b.dcm']);
  });

  it('returns null for a cut-off or non-zip file', async () => {
    const zip = zipSync({ 'a.png': strToU8('x'.repeat(100)) });
    expect(await zipEntryNames(new Blob([zip.subarray(0, zip.length - 30)]))).toBeNull();
    expect(await zipEntryNames(new Blob([strToU8('not a zip at all, just some text here')]))).toBeNull();
  });
});

describe('thumbnails', () => {
  it('caps the longest side, keeps the aspect and never shares the source buffer', () => {
    const src = { width: 512, height: 256, pixels: new Uint8Array(512 * 256).fill(200) };
    const t = makeThumbnail(src);
    expect([t.width, t.height]).toEqual([THUMB_SIDE, THUMB_SIDE / 2]);
    expect(t.pixels.every((v) => v === 200)).toBe(true);
    const small = { width: 10, height: 20, pixels: new Uint8Array(200).fill(3) };
    const s = makeThumbnail(small);
    expect(s.pixels).not.toBe(small.pixels);
    expect([s.width, s.height]).toEqual([10, 20]);
  });
});
