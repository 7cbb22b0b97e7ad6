// Checks a finished file against its catalog record. Messages name the file and give
// expected vs actual, because "checksum mismatch" alone tells a user nothing to act on.
import { formatBytes } from '../format';
import type { ModelFile } from './catalog';

export interface FileDigest {
  bytes: number;
  sha256: string;
  md5?: string;
}

export class ModelVerificationError extends Error {
  constructor(
    readonly modelId: string,
    readonly path: string,
    readonly what: 'size' | 'sha256' | 'md5',
    readonly expected: string,
    readonly actual: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModelVerificationError';
  }
}

const exactBytes = (n: number) => `${n.toLocaleString('en-US')} bytes (${formatBytes(n)})`;

/** Throws ModelVerificationError on the first mismatch: size, then SHA-256, then MD5. */
export function verifyFile(modelId: string, expected: ModelFile, actual: FileDigest): void {
  const where = `${modelId}: file ${expected.path}`;
  if (expected.bytes !== undefined && expected.bytes !== actual.bytes) {
    const kind = actual.bytes < expected.bytes ? 'is truncated' : 'is larger than the catalog says';
    throw new ModelVerificationError(
      modelId,
      expected.path,
      'size',
      String(expected.bytes),
      String(actual.bytes),
      `${where} ${kind}: expected ${exactBytes(expected.bytes)}, got ${exactBytes(actual.bytes)}. The file was not kept.`,
    );
  }
  if (expected.sha256 && expected.sha256 !== actual.sha256) {
    throw new ModelVerificationError(
      modelId,
      expected.path,
      'sha256',
      expected.sha256,
      actual.sha256,
      `${where} is corrupt or a different file: SHA-256 expected ${expected.sha256}, got ${actual.sha256}. The file was not kept.`,
    );
  }
  if (expected.md5 && actual.md5 !== undefined && expected.md5 !== actual.md5) {
    throw new ModelVerificationError(
      modelId,
      expected.path,
      'md5',
      expected.md5,
      actual.md5,
      `${where} is corrupt or a different file: MD5 expected ${expected.md5}, got ${actual.md5}. The file was not kept.`,
    );
  }
}
