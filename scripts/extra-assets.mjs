// Assets derived at build time from installed packages (no weights are committed).
// Each derived asset module registers itself here.
import { nsfwjsAssets, readNsfwjsAsset } from './nsfwjs-inception.mjs';

export function extraAssets() {
  return [...nsfwjsAssets()];
}

export function readExtraAsset(urlPath) {
  return readNsfwjsAsset(urlPath);
}
