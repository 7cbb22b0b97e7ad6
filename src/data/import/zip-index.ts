// The file names of a zip from its central directory, read with two small Blob slices
// (the end record and the directory) without inflating anything: the importer uses it
// for an exact progress total and to know up front how many entries a resume skips.
import { SKIPPED } from '../zip-reader';

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CD_SIG = 0x02014b50;

async function slice(blob: Blob, start: number, end: number): Promise<DataView> {
  return new DataView(await blob.slice(start, end).arrayBuffer());
}

/** Image-candidate entry names (directories and archive clutter left out), or null when the directory cannot be read. */
export async function zipEntryNames(blob: Blob): Promise<string[] | null> {
  const size = blob.size;
  if (size < 22) return null;
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  const tailStart = Math.max(0, size - 22 - 65535);
  const tail = await slice(blob, tailStart, size);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let cdSize = tail.getUint32(eocd + 12, true);
  let cdOffset = tail.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) return null;
    const z64At = Number(tail.getBigUint64(loc + 8, true));
    const z64 = await slice(blob, z64At, z64At + 56);
    if (z64.getUint32(0, true) !== ZIP64_EOCD_SIG) return null;
    cdSize = Number(z64.getBigUint64(40, true));
    cdOffset = Number(z64.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > size) return null;
  const cd = await slice(blob, cdOffset, cdOffset + cdSize);
  const decoder = new TextDecoder();
  const names: string[] = [];
  for (let at = 0; at + 46 <= cd.byteLength; ) {
    if (cd.getUint32(at, true) !== CD_SIG) return null;
    const nameLen = cd.getUint16(at + 28, true);
    const extraLen = cd.getUint16(at + 30, true);
    const commentLen = cd.getUint16(at + 32, true);
    const name = decoder.decode(new Uint8Array(cd.buffer, cd.byteOffset + at + 46, nameLen)).replace(/\\/g, '/');
    if (!name.endsWith('/') && !SKIPPED.test(name)) names.push(name);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}
