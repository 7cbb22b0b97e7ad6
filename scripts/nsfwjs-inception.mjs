// Placeholder registry until the classifier work derives the nsfwjs backbone.
export function nsfwjsAssets() {
  return [];
}
export function readNsfwjsAsset() {
  return null;
}
