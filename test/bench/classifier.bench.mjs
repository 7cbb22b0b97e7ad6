// Classifier throughput at 299 px: inference (pooled features) and training steps per backend,
// with the worker's tfjs memory peak. Run with `npm run bench:classifier` (browser-bench.mjs).
// Training steps use the real training loop (trainStepCheck: nsfwjs weights, frozen-BN patch,
// SGD) with the 'mixed5' depth; wasm is inference-only (no Conv2DBackpropFilter kernel).
// Args: [inputSize=299] [batch=4] [inferenceImages=8] [trainSteps=2] [backends=webgpu,wasm,cpu]
// (SwiftShader WebGPU without a GPU takes ~45 s per 299 px image: leave it out there.)
export async function run({ page, log, args }) {
  const [inputSize = 299, batch = 4, images = 8, steps = 2] = args.slice(0, 4).map(Number);
  const wanted = (args[4] ?? 'webgpu,wasm,cpu').split(',');
  const hasGpu = await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
  const info = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? `${a.info?.vendor ?? ''} ${a.info?.architecture ?? ''} ${a.info?.description ?? ''}`.trim() : 'no WebGPU adapter';
  });
  log(`classifier bench: Inception-V3 ${inputSize} px, batch ${batch}; WebGPU: ${info}; cores ${await page.evaluate(() => navigator.hardwareConcurrency)}`);
  const backends = ['webgpu', 'wasm', 'cpu'].filter((b) => wanted.includes(b) && (b !== 'webgpu' || hasGpu));
  for (const backend of backends) {
    const r = await page.evaluate(async ({ backend, inputSize, batch, images, steps }) => {
      const h = window.harness;
      h.terminateClassifier();
      const c = h.classifier();
      const gray = (i) => {
        const px = new Uint8Array(512 * 512);
        for (let k = 0; k < px.length; k++) px[k] = (k * 7 + i * 13 + ((k >> 9) * 3)) & 255;
        return { width: 512, height: 512, pixels: px };
      };
      let peak = 0;
      const poll = setInterval(async () => (peak = Math.max(peak, (await c.memory()).numBytes)), 250);
      try {
        // warm-up (weights load, shader/kernel compilation) is not timed
        await c.pooledFeatures('warm', { inputSize, images: [gray(0)], backend, batchSize: batch }, h.proxy(() => {}));
        const imgs = Array.from({ length: images }, (_, i) => gray(i + 1));
        const t0 = performance.now();
        await c.pooledFeatures('bench', { inputSize, images: imgs, backend, batchSize: batch }, h.proxy(() => {}));
        const inferenceIps = images / ((performance.now() - t0) / 1000);
        let trainIps = null;
        let trainNote = '';
        if (backend === 'wasm') trainNote = 'not run: tfjs-backend-wasm cannot train convolutions';
        else {
          const req = { backend, inputSize, depth: 'mixed5', images: Array.from({ length: batch }, (_, i) => gray(100 + i)), labels: Array.from({ length: batch }, (_, i) => i % 2), seed: 1, steps: 1 };
          await c.trainStepCheck(req); // warm-up
          const t1 = performance.now();
          await c.trainStepCheck({ ...req, steps });
          // trainStepCheck also loads weights and scores one validation image; subtract nothing, report as is
          trainIps = (batch * steps) / ((performance.now() - t1) / 1000);
          trainNote = `${steps} step(s) of batch ${batch}, from mixed5, incl. weight load`;
        }
        return { inferenceIps, trainIps, trainNote, peakMiB: peak / 2 ** 20 };
      } finally {
        clearInterval(poll);
      }
    }, { backend, inputSize, batch, images, steps }).catch((e) => ({ error: String(e) }));
    if (r.error) log(`${backend}: failed: ${r.error}`);
    else log(`${backend.padEnd(6)} inference ${r.inferenceIps.toFixed(2)} img/s · training ${r.trainIps === null ? '—' : r.trainIps.toFixed(2) + ' img/s'} (${r.trainNote}) · tfjs memory peak ${r.peakMiB.toFixed(0)} MiB`);
  }
}
