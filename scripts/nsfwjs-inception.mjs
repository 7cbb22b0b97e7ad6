// The app's offline default classifier backbone, derived at build time from the installed
// npm package `nsfwjs` (MIT) so that no weights are committed to this repository.
//
// nsfwjs ships a Keras 2.2.4 InceptionV3 as a uint8-quantized tfjs Layers model, but wrapped
// in UMD/browserify JavaScript modules: `model.min.js` evaluates to {modelTopology,
// weightsManifest} and each `group1-shardKof6.min.js` to the base64 text of one binary shard.
// We evaluate each wrapper in an isolated `node:vm` context (the package is a pinned, installed
// dependency; the context exposes only `module`/`exports`, no require), decode the base64 and
// write a standard tfjs `model.json` + `.bin` shards that `tf.loadLayersModel` and our own
// importer (src/ml/classifier/weights/tfjs-layers.ts) read directly.
//
// Results are cached under node_modules/.cache/nsfwjs-inception/<key>/ where the key covers the
// nsfwjs version, the wrapper files' sizes and mtimes, and CONVERTER_VERSION, so a rebuild only
// pays for the conversion (about a second) once per install.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** Bump when the generated files change shape, to invalidate old caches. */
const CONVERTER_VERSION = 2;
const URL_DIR = 'models/nsfwjs-inception-v3';
const SHARD_COUNT = 6;
const shardName = (k) => `group1-shard${k}of${SHARD_COUNT}`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = join(repoRoot, 'node_modules', 'nsfwjs');
const sourceDir = join(packageDir, 'dist', 'models', 'inception_v3');
const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'nsfwjs-inception');

/** Honest provenance, stored in model.json `userDefinedMetadata` for the UI and the report. */
function describe(nsfwjsVersion, shardSha256) {
  return {
    name: 'nsfwjs InceptionV3 backbone',
    architecture: 'Keras 2.2.4 keras.applications InceptionV3 (channels_last, 299x299x3)',
    origin: `npm package nsfwjs@${nsfwjsVersion}, dist/models/inception_v3 (GantMan/nsfw_model)`,
    licence: 'MIT (nsfwjs)',
    weights:
      'The first 168 Keras layers (input through mixed5, plus conv2d_55/batch_normalization_55/activation_55 at ' +
      'the start of mixed6) are marked non-trainable in the nsfwjs topology, i.e. they keep the Keras ImageNet ' +
      'weights; the rest of mixed6..mixed10 and the 2048-256-128-5 head were fine-tuned by nsfwjs on general web ' +
      'images (5 classes: drawing, hentai, neutral, porn, sexy). Not trained on medical images.',
    quantization: 'uint8 affine per tensor (value = min + scale * q), as shipped by nsfwjs',
    preprocessing: 'Keras "inception" scaling: x / 127.5 - 1, RGB, 299x299',
    derivedBy: `scripts/nsfwjs-inception.mjs v${CONVERTER_VERSION} (UMD wrappers evaluated in node:vm, base64 decoded)`,
    shardSha256,
  };
}

function runUmd(file) {
  const code = readFileSync(file, 'utf8');
  const module = { exports: {} };
  // Only module/exports are visible: the UMD prelude takes its CommonJS branch and the
  // browserify runtime never needs `require` for these single-module bundles.
  vm.runInNewContext(code, { module, exports: module.exports }, { filename: file, timeout: 60_000 });
  return module.exports;
}

function sourceFiles() {
  return ['model.min.js', ...Array.from({ length: SHARD_COUNT }, (_, i) => `${shardName(i + 1)}.min.js`)].map((f) =>
    join(sourceDir, f),
  );
}

function cacheKey() {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const h = createHash('sha256').update(`v${CONVERTER_VERSION}|nsfwjs@${pkg.version}`);
  for (const f of sourceFiles()) {
    const s = statSync(f);
    h.update(`|${f}|${s.size}|${s.mtimeMs}`);
  }
  return { key: h.digest('hex').slice(0, 16), version: pkg.version };
}

function atomicWrite(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function convert(outDir, nsfwjsVersion) {
  const model = runUmd(join(sourceDir, 'model.min.js'));
  if (!model || typeof model !== 'object' || !model.modelTopology || !Array.isArray(model.weightsManifest)) {
    throw new Error(`nsfwjs model.min.js did not evaluate to {modelTopology, weightsManifest}`);
  }
  const group = model.weightsManifest[0];
  const expectedPaths = Array.from({ length: SHARD_COUNT }, (_, i) => shardName(i + 1));
  if (model.weightsManifest.length !== 1 || JSON.stringify(group.paths) !== JSON.stringify(expectedPaths)) {
    throw new Error(`unexpected nsfwjs weightsManifest paths ${JSON.stringify(group.paths)}`);
  }
  const expectedBytes = group.weights.reduce((sum, w) => {
    const count = w.shape.reduce((a, b) => a * b, 1);
    const bytes = w.quantization ? { uint8: 1, uint16: 2, float16: 2 }[w.quantization.dtype] : 4;
    return sum + count * bytes;
  }, 0);

  mkdirSync(outDir, { recursive: true });
  const shardSha256 = {};
  let total = 0;
  for (const name of expectedPaths) {
    const text = runUmd(join(sourceDir, `${name}.min.js`));
    if (typeof text !== 'string') throw new Error(`nsfwjs ${name}.min.js did not evaluate to a base64 string`);
    const bytes = Buffer.from(text, 'base64');
    total += bytes.length;
    shardSha256[`${name}.bin`] = createHash('sha256').update(bytes).digest('hex');
    atomicWrite(join(outDir, `${name}.bin`), bytes);
  }
  if (total !== expectedBytes) {
    throw new Error(`nsfwjs shards hold ${total} bytes but the manifest needs ${expectedBytes}`);
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: `keras v${model.modelTopology.keras_version ?? '2.2.4'}`,
    convertedBy: `scripts/nsfwjs-inception.mjs v${CONVERTER_VERSION}`,
    modelTopology: model.modelTopology,
    weightsManifest: [{ paths: expectedPaths.map((p) => `${p}.bin`), weights: group.weights }],
    userDefinedMetadata: describe(nsfwjsVersion, shardSha256),
  };
  // model.json last: its presence marks a complete cache entry.
  atomicWrite(join(outDir, 'model.json'), JSON.stringify(modelJson));
}

let memo = null;
/** Directory holding the converted model.json and shards (converting on first use). */
export function nsfwjsCacheDir() {
  if (memo) return memo;
  const { key, version } = cacheKey();
  const dir = join(cacheRoot, key);
  if (!existsSync(join(dir, 'model.json'))) convert(dir, version);
  memo = dir;
  return dir;
}

/** URL paths (relative to the app origin) that the vite plugin serves and emits. Cheap: no conversion. */
export function nsfwjsAssets() {
  return [
    `${URL_DIR}/model.json`,
    ...Array.from({ length: SHARD_COUNT }, (_, i) => `${URL_DIR}/${shardName(i + 1)}.bin`),
  ];
}

/**
 * Bytes of one derived asset, or null when the path is not ours or nsfwjs is not installed
 * (the vite plugin then fails the build with "missing runtime asset ...; run npm install").
 */
export function readNsfwjsAsset(urlPath) {
  const path = String(urlPath ?? '').replace(/^\//, '');
  if (!nsfwjsAssets().includes(path)) return null;
  if (!sourceFiles().every((f) => existsSync(f))) return null;
  return readFileSync(join(nsfwjsCacheDir(), path.slice(URL_DIR.length + 1)));
}
