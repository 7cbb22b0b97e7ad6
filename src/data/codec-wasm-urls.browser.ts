// Browser only: asks Vite to emit the codecs' decode .wasm files as assets and gives their
// URLs to the Emscripten factories (which would otherwise look next to the bundle).
// Call once in the import worker before decoding: configureCodecs({ wasmUrls: CODEC_WASM_URLS }).
import charlsWasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import openjpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import libjpegTurboWasmUrl from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import type { CodecName } from './codecs';

export const CODEC_WASM_URLS: Record<CodecName, string> = {
  charls: charlsWasmUrl,
  openjpeg: openjpegWasmUrl,
  'libjpeg-turbo': libjpegTurboWasmUrl,
};
