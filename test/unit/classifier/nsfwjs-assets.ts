// Typed access to the build-time nsfwjs conversion (scripts/nsfwjs-inception.mjs) for tests.
import { nsfwjsAssets, readNsfwjsAsset } from '../../../scripts/nsfwjs-inception.mjs';
import type { TfjsModelJson } from '../../../src/ml/classifier/weights/tfjs-layers';

export const listNsfwjsAssets = nsfwjsAssets as () => string[];
export const readAsset = readNsfwjsAsset as (urlPath: string) => Buffer | null;
export const NSFWJS_DIR = 'models/nsfwjs-inception-v3';

export interface KerasLayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}

export function nsfwjsModelJson(): TfjsModelJson & {
  modelTopology: { keras_version: string; model_config: { config: { layers: KerasLayerJson[] } } };
} {
  const bytes = readAsset(`${NSFWJS_DIR}/model.json`);
  if (!bytes) throw new Error('nsfwjs is not installed');
  return JSON.parse(bytes.toString('utf8'));
}

export async function readNsfwjsShard(path: string): Promise<Uint8Array> {
  const bytes = readAsset(`${NSFWJS_DIR}/${path}`);
  if (!bytes) throw new Error(`no nsfwjs asset ${path}`);
  return bytes;
}
