// Parsing a DICOM file with dicom-parser and reading the attributes the pixel pipeline
// needs (PS3.3 C.7.6.3 Image Pixel, C.11 LUTs). Patient ID / Study UID are read only to
// be returned as a group identifier that the caller hashes with a salt at once.
import dicomParser, { type DataSet } from 'dicom-parser';
import { inflateSync } from 'fflate';
import { FileDecodeError } from '../decode-types';

export interface Lut {
  /** first input value mapped (values below map to the first entry) */
  firstMapped: number;
  /** bits per entry (LUT Descriptor value 3) */
  bits: number;
  data: Uint16Array;
}

export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface DicomImageAttributes {
  transferSyntaxUid: string;
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement */
  pixelRepresentation: number;
  samplesPerPixel: number;
  planarConfiguration: number;
  photometric: string;
  numberOfFrames: number;
  modality?: string;
  rescaleSlope: number;
  rescaleIntercept: number;
  modalityLut?: Lut;
  /** first window of (0028,1050)/(0028,1051); null when absent or width < 1 */
  window: { center: number; width: number } | null;
  voiLutFunction: VoiLutFunction;
  voiLut?: Lut;
  /** `patient:<id>` or `study:<uid>`; hash and drop */
  groupIdentifier: string | null;
}


/** dicom-parser throws strings (and Errors); map its messages to our reasons. */
function parseError(e: unknown): FileDecodeError {
  // Partial parses throw { exception, dataSet }.
  const inner = typeof e === 'object' && e !== null && 'exception' in e ? (e as { exception: unknown }).exception : e;
  const msg = inner instanceof Error ? inner.message : String(inner);
  if (/overr(ead|un)|past (the )?end|beyond|outside the bounds|out of range|truncat/i.test(msg)) return new FileDecodeError('truncated', `DICOM file ends early: ${msg}`);
  return new FileDecodeError('corrupt', `DICOM could not be parsed: ${msg}`);
}

export function parseDicomBytes(bytes: Uint8Array, hasPreamble: boolean): DataSet {
  try {
    return dicomParser.parseDicom(bytes, {
      // Without a Part 10 header (old exports) the data set is read as Implicit VR LE,
      // the DICOM default transfer syntax.
      ...(hasPreamble ? {} : { TransferSyntaxUID: '1.2.840.10008.1.2' }),
      // dicom-parser only inflates on Node or with a global pako; give it fflate.
      // Its typings say void but it uses the returned array.
      inflater: ((arr: Uint8Array, position: number) => {
        const inflated = inflateSync(arr.subarray(position));
        const full = new Uint8Array(position + inflated.length);
        full.set(arr.subarray(0, position));
        full.set(inflated, position);
        return full;
      }) as unknown as (arr: Uint8Array, position: number) => void,
    });
  } catch (e) {
    throw parseError(e);
  }
}

function readLut(item: DataSet, pixelRepresentation: number): Lut | undefined {
  const desc = item.elements.x00283002;
  const data = item.elements.x00283006;
  if (!desc || !data) return undefined;
  const entries = item.uint16('x00283002', 0) || 65536;
  const firstRaw = item.uint16('x00283002', 1) ?? 0;
  // The first-mapped value is SS when pixel values are signed (PS3.3 C.11.1.1).
  const firstMapped = pixelRepresentation === 1 && firstRaw > 32767 ? firstRaw - 65536 : firstRaw;
  const bits = item.uint16('x00283002', 2) ?? 16;
  const available = Math.floor(data.length / 2);
  if (available < entries) throw new FileDecodeError('corrupt', `LUT declares ${entries} entries but holds ${available}`);
  const out = new Uint16Array(entries);
  for (let i = 0; i < entries; i++) out[i] = item.uint16('x00283006', i) ?? 0;
  return { firstMapped, bits, data: out };
}

function firstItem(ds: DataSet, tag: string): DataSet | undefined {
  return ds.elements[tag]?.items?.[0]?.dataSet;
}

function str(ds: DataSet, tag: string): string | undefined {
  const s = ds.string(tag);
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

export function readImageAttributes(ds: DataSet, transferSyntaxUid: string): DicomImageAttributes {
  const rows = ds.uint16('x00280010');
  const columns = ds.uint16('x00280011');
  const bitsAllocated = ds.uint16('x00280100');
  if (!ds.elements.x7fe00010) {
    const sop = str(ds, 'x00080016') ?? 'unknown SOP class';
    throw new FileDecodeError('not-an-image', `DICOM object without pixel data (${sop})`);
  }
  if (rows === undefined || columns === undefined || bitsAllocated === undefined) {
    throw new FileDecodeError('corrupt', 'DICOM image lacks Rows, Columns or Bits Allocated');
  }
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const pixelRepresentation = ds.uint16('x00280103') ?? 0;
  const slope = ds.floatString('x00281053');
  const intercept = ds.floatString('x00281052');
  const center = ds.floatString('x00281050', 0);
  const width = ds.floatString('x00281051', 0);
  const fn = (str(ds, 'x00281056') ?? 'LINEAR').toUpperCase();
  const patientId = str(ds, 'x00100020');
  const studyUid = str(ds, 'x0020000d');
  const attrs: DicomImageAttributes = {
    transferSyntaxUid,
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    highBit: ds.uint16('x00280102') ?? bitsStored - 1,
    pixelRepresentation,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    planarConfiguration: ds.uint16('x00280006') ?? 0,
    photometric: (str(ds, 'x00280004') ?? 'MONOCHROME2').toUpperCase(),
    numberOfFrames: ds.intString('x00280008') ?? 1,
    modality: str(ds, 'x00080060'),
    rescaleSlope: slope !== undefined && Number.isFinite(slope) && slope !== 0 ? slope : 1,
    rescaleIntercept: intercept !== undefined && Number.isFinite(intercept) ? intercept : 0,
    window: center !== undefined && width !== undefined && Number.isFinite(center) && width >= 1 ? { center, width } : null,
    voiLutFunction: fn === 'LINEAR_EXACT' || fn === 'SIGMOID' ? fn : 'LINEAR',
    groupIdentifier: patientId ? `patient:${patientId}` : studyUid ? `study:${studyUid}` : null,
  };
  const modalityItem = firstItem(ds, 'x00283000');
  if (modalityItem) attrs.modalityLut = readLut(modalityItem, pixelRepresentation);
  const voiItem = firstItem(ds, 'x00283010');
  if (voiItem) attrs.voiLut = readLut(voiItem, pixelRepresentation);
  return attrs;
}
