// Incremental digests for multi-GB files: WebCrypto has no streaming digest, and a
// resumed download must hash across sessions, so we re-hash the stored prefix first.
import { sha256 } from '@noble/hashes/sha2.js';
import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { PartialFile } from '../../storage/model-store';

export class FileHasher {
  private readonly s = sha256.create();
  private readonly m: ReturnType<typeof md5.create> | null;
  bytes = 0;
  constructor(withMd5: boolean) {
    this.m = withMd5 ? md5.create() : null;
  }
  update(chunk: Uint8Array): void {
    this.s.update(chunk);
    this.m?.update(chunk);
    this.bytes += chunk.byteLength;
  }
  digest(): { bytes: number; sha256: string; md5?: string } {
    return { bytes: this.bytes, sha256: bytesToHex(this.s.digest()), ...(this.m ? { md5: bytesToHex(this.m.digest()) } : {}) };
  }
}

const REHASH_CHUNK = 8 * 1024 * 1024;

/** Feeds the first `upTo` bytes of a partial file into the hasher; `onBytes` reports progress. */
export async function rehashPrefix(file: PartialFile, upTo: number, hasher: FileHasher, onBytes: (n: number) => Promise<void>): Promise<void> {
  const buf = new Uint8Array(Math.min(REHASH_CHUNK, Math.max(upTo, 1)));
  let at = 0;
  while (at < upTo) {
    const want = Math.min(buf.byteLength, upTo - at);
    const view = buf.subarray(0, want);
    const n = file.read(view, at);
    if (n <= 0) throw new Error(`could not read back the stored part of the file at byte ${at}`);
    hasher.update(view.subarray(0, n));
    at += n;
    await onBytes(at);
  }
}
