// The embind surface shared by the cornerstone codecs (charls, openjpeg, libjpeg-turbo):
// copy the encoded bytes into wasm memory, decode, copy the pixels out, delete.

export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

export interface WasmFrameDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  /** a view into wasm memory: copy before the next call */
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

export interface EmscriptenCodecModule {
  JpegLSDecoder?: new () => WasmFrameDecoder;
  J2KDecoder?: new () => WasmFrameDecoder;
  JPEGDecoder?: new () => WasmFrameDecoder;
}

export interface EmscriptenModuleOptions {
  locateFile?: (path: string, prefix: string) => string;
  wasmBinary?: ArrayBuffer;
}

export type EmscriptenCodecFactory = (options?: EmscriptenModuleOptions) => Promise<EmscriptenCodecModule>;
