// Test DICOM files written with dcmjs (an independent DICOM writer), and an RLE encoder
// written from PS3.5 Annex G for the RLE test.
import dcmjs from 'dcmjs';

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  explicitBE: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLs: '1.2.840.10008.1.2.4.80',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  mpeg2: '1.2.840.10008.1.2.4.100',
};

export interface DicomSpec {
  transferSyntax: string;
  rows: number;
  columns: number;
  bitsAllocated?: number;
  bitsStored: number;
  pixelRepresentation?: 0 | 1;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  /** native pixel bytes, or encapsulated frames; null writes no Pixel Data element */
  pixelData: ArrayBuffer | ArrayBuffer[] | null;
  window?: { center: number; width: number };
  rescale?: { slope: number; intercept: number };
  patientId?: string;
  extra?: Record<string, unknown>;
}

export function writeDicom(spec: DicomSpec): Uint8Array {
  const { DicomMetaDictionary, DicomDict } = dcmjs.data;
  const bitsAllocated = spec.bitsAllocated ?? 16;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    MediaStorageSOPInstanceUID: '1.2.826.0.1.3680043.2.1125.1',
    TransferSyntaxUID: spec.transferSyntax,
    ImplementationClassUID: '1.2.826.0.1.3680043.2.1125.2',
  };
  const ds: Record<string, unknown> = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    SOPInstanceUID: '1.2.826.0.1.3680043.2.1125.1',
    StudyInstanceUID: '1.2.826.0.1.3680043.2.1125.3',
    Modality: 'DX',
    Rows: spec.rows,
    Columns: spec.columns,
    BitsAllocated: bitsAllocated,
    BitsStored: spec.bitsStored,
    HighBit: spec.bitsStored - 1,
    PixelRepresentation: spec.pixelRepresentation ?? 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: spec.photometric ?? 'MONOCHROME2',
    ...(spec.pixelData === null ? {} : { PixelData: Array.isArray(spec.pixelData) ? spec.pixelData : [spec.pixelData] }),
    _vrMap: { PixelData: bitsAllocated > 8 ? 'OW' : 'OB' },
    ...spec.extra,
  };
  if (spec.patientId !== undefined) ds.PatientID = spec.patientId;
  if (spec.window) {
    ds.WindowCenter = String(spec.window.center);
    ds.WindowWidth = String(spec.window.width);
  }
  if (spec.rescale) {
    ds.RescaleSlope = String(spec.rescale.slope);
    ds.RescaleIntercept = String(spec.rescale.intercept);
  }
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}

/** 16-bit samples as little-endian (or big-endian) bytes; negative values as two's complement. */
export function wordsToBytes(values: ArrayLike<number>, bigEndian = false): ArrayBuffer {
  const buf = new ArrayBuffer(values.length * 2);
  const view = new DataView(buf);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i] & 0xffff, !bigEndian);
  return buf;
}

/** RLE Lossless frame (PS3.5 G.3): one segment per byte plane, literal runs only. */
export function encodeRle16(values: ArrayLike<number>): ArrayBuffer {
  const planes = [0, 1].map((b) => Uint8Array.from(Array.from(values, (v) => (b === 0 ? (v >> 8) & 0xff : v & 0xff))));
  const segments = planes.map((plane) => {
    const out: number[] = [];
    for (let i = 0; i < plane.length; i += 128) {
      const run = plane.subarray(i, i + 128);
      out.push(run.length - 1, ...run);
    }
    if (out.length % 2) out.push(0x80); // pad segments to even length with a no-op
    return out;
  });
  const header = new Uint32Array(16);
  header[0] = 2;
  header[1] = 64;
  header[2] = 64 + segments[0].length;
  const frame = new Uint8Array(64 + segments[0].length + segments[1].length);
  frame.set(new Uint8Array(header.buffer), 0);
  frame.set(segments[0], 64);
  frame.set(segments[1], 64 + segments[0].length);
  return frame.buffer;
}
