// Minimal typing of the dcmjs surface the tests use to write DICOM files.
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown> };
      DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
    };
  };
  export default dcmjs;
}
