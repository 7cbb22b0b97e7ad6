// Types for the Emscripten factories of the cornerstone codec packages (they ship none).
// Each factory instantiates its wasm; `locateFile` or `wasmBinary` say where it is.

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  import type { EmscriptenCodecFactory } from './codec-types';
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  import type { EmscriptenCodecFactory } from './codec-types';
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  import type { EmscriptenCodecFactory } from './codec-types';
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    /** decoded samples: cols × rows × bytesPerComponent × components, little-endian */
    decode(buffer: ArrayBufferLike, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
    decompress(buffer: ArrayBufferLike, offset?: number, length?: number): ArrayBuffer;
  }
}
