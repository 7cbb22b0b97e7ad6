// Reference computations for test/browser/classifier.spec.ts, run on the harness page's own
// tfjs (not the worker under test): nsfwjs's model through tf.loadLayersModel, and the
// torchvision fixture through our importer.
import * as tf from '@tensorflow/tfjs';
import { initTfjs } from '../../../src/ml/backend/tfjs-setup';
import type { TfjsBackendName } from '../../../src/core/backends';
import { preprocessGrayImages, type GrayImage } from '../../../src/ml/classifier/preprocess';
import { buildInceptionV3, featuresAndPredictionsModel } from '../../../src/ml/classifier/inception-v3';
import { loadTorchvisionSafetensors } from '../../../src/ml/classifier/weights/torchvision';
import { NSFWJS_MODEL_PATH } from '../../../src/ml/classifier/weights/tfjs-layers';

async function backend(name: TfjsBackendName) {
  // Same single-threaded wasm as the classifier worker (see disableWasmThreads in training/job.ts).
  if (name === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const r = await initTfjs([name]);
  if (r.active !== name) throw new Error(`backend ${name} unavailable: ${JSON.stringify(r.attempts)}`);
}

export const classifierReference = {
  /** Decodes an image URL to canonical-like gray (first channel; the Kermany JPEGs have R=G=B). */
  async decodeGray(url: string): Promise<GrayImage> {
    const blob = await (await fetch(url)).blob();
    const bmp = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const rgba = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    const pixels = new Uint8Array(bmp.width * bmp.height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = rgba[i * 4];
    return { width: bmp.width, height: bmp.height, pixels };
  },

  /** Pooled features of nsfwjs's own model (its topology, loaded by tf.loadLayersModel). */
  async nsfwjsLayersModelFeatures(images: GrayImage[], backendName: TfjsBackendName): Promise<Float32Array> {
    await backend(backendName);
    const m = await tf.loadLayersModel(new URL(NSFWJS_MODEL_PATH, new URL(import.meta.env.BASE_URL, location.origin)).href);
    try {
      // nsfwjs pools with AveragePooling2D(8) + Flatten: `flatten_1` is its 2048-d pooled output.
      const fm = tf.model({ inputs: m.inputs, outputs: m.getLayer('flatten_1').output as tf.SymbolicTensor });
      const size = m.inputs[0].shape[1] as number;
      const out = tf.tidy(() => fm.predict(preprocessGrayImages(images, size)) as tf.Tensor);
      const v = (await out.data()) as Float32Array;
      out.dispose();
      return v;
    } finally {
      m.dispose();
    }
  },

  /** The torchvision fixture (first `count` images) through our importer: features, logits, ms per image. */
  async torchvisionFixture(backendName: TfjsBackendName, count: number) {
    await backend(backendName);
    const get = async (p: string) => new Uint8Array(await (await fetch(`/__shared__/fixtures/inception-v3/${p}`)).arrayBuffer());
    const net = buildInceptionV3({ variant: 'torchvision', head: { units: 2, activation: 'linear', dropoutRate: 0 } });
    try {
      loadTorchvisionSafetensors(net, await get('model.safetensors'), { head: 'require' });
      const input = await get('refs/input.bin');
      const nchw = new Float32Array(input.buffer, 0, count * 3 * 299 * 299);
      const fm = featuresAndPredictionsModel(net.model);
      const x = tf.tidy(() => tf.transpose(tf.tensor4d(nchw, [count, 3, 299, 299]), [0, 2, 3, 1]));
      // Warm-up excluded from the timing: shader compilation on the first call.
      const t0 = performance.now();
      const [f, l] = fm.predict(x) as tf.Tensor[];
      const features = (await f.data()) as Float32Array;
      const logits = (await l.data()) as Float32Array;
      const ms = (performance.now() - t0) / count;
      tf.dispose([x, f, l]);
      return { features, logits, msPerImage: ms };
    } finally {
      net.model.dispose();
    }
  },
};
