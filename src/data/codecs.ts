// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient codec typings must reach tsconfig.node.json (tests) too
/// <reference path="./codec-modules.d.ts" />
// Lazy loading of the wasm codecs. The packages are Emscripten factories (UMD/CommonJS)
// that find their .wasm next to the script: that works in Node (tests read it with fs),
// but in a bundled worker the script's location is the bundle's, so the browser passes
// the emitted asset URLs through configureCodecs (see codec-wasm-urls.browser.ts).
import { FileDecodeError } from './decode-types';
import type { CodecFrameInfo, EmscriptenCodecFactory, EmscriptenCodecModule, WasmFrameDecoder } from './codec-types';

export type CodecName = 'charls' | 'openjpeg' | 'libjpeg-turbo';

export interface CodecConfig {
  /** URL of each codec's decode wasm; leave out in Node */
  wasmUrls?: Partial<Record<CodecName, string>>;
}

let config: CodecConfig = {};
const modules = new Map<CodecName, Promise<EmscriptenCodecModule>>();

export function configureCodecs(c: CodecConfig): void {
  config = c;
  modules.clear();
}

async function importFactory(name: CodecName): Promise<EmscriptenCodecFactory> {
  // Literal specifiers so bundlers can see and split each codec.
  const mod: { default?: EmscriptenCodecFactory } =
    name === 'charls'
      ? await import('@cornerstonejs/codec-charls/decodewasmjs')
      : name === 'openjpeg'
        ? await import('@cornerstonejs/codec-openjpeg/decodewasmjs')
        : await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs');
  return (mod.default ?? (mod as unknown as EmscriptenCodecFactory));
}

export function loadCodec(name: CodecName): Promise<EmscriptenCodecModule> {
  let m = modules.get(name);
  if (!m) {
    const url = config.wasmUrls?.[name];
    m = importFactory(name).then((factory) => factory(url ? { locateFile: (path) => (path.endsWith('.wasm') ? url : path) } : {}));
    // A failed load (e.g. a 404 for the wasm) should be retried next time, not cached.
    m.catch(() => modules.delete(name));
    modules.set(name, m);
  }
  return m;
}

function decoderOf(name: CodecName, mod: EmscriptenCodecModule): WasmFrameDecoder {
  const ctor = name === 'charls' ? mod.JpegLSDecoder : name === 'openjpeg' ? mod.J2KDecoder : mod.JPEGDecoder;
  if (!ctor) throw new Error(`codec ${name} has no decoder class`);
  return new ctor();
}

export interface CodecOutput {
  frameInfo: CodecFrameInfo;
  /** decoded samples, little-endian, interleaved; a copy owned by the caller */
  bytes: Uint8Array;
}

/** Decodes one encoded frame; codec failures become FileDecodeError('corrupt'). */
export async function decodeWithCodec(name: CodecName, encoded: Uint8Array): Promise<CodecOutput> {
  const mod = await loadCodec(name);
  const decoder = decoderOf(name, mod);
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const frameInfo = decoder.getFrameInfo();
    const bytes = decoder.getDecodedBuffer().slice();
    return { frameInfo: { ...frameInfo }, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
  } catch (e) {
    // Embind surfaces C++ exceptions as numbers or strings, not Errors.
    const detail = e instanceof Error ? e.message : String(e);
    throw new FileDecodeError('corrupt', `${name} could not decode the image data (${detail})`);
  } finally {
    decoder.delete();
  }
}
