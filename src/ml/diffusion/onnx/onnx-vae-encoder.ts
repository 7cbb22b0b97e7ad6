// VAE encoder exports come in three output layouts: (a) latent_mean + latent_logvar
// (our fixture), (b) the raw moments [mean ‖ logvar] with 2·C channels (optimum's
// `latent_parameters`), (c) a single latent (older optimum `latent_sample`, already sampled
// or the mean inside the graph: the caller cannot inject noise then).
import type { LatentDistribution, VaeEncoderModel } from '../components';
import type { FloatTensor } from '../tensor';
import type { OrtRuntime, OrtSession } from './ort-types';
import { SessionIo, type InputSpec } from './session-io';

/** Splits [B, 2C, h, w] moments into mean and logvar, clamping logvar as diffusers does. */
export function splitMoments(moments: FloatTensor): { mean: FloatTensor; logvar: FloatTensor } {
  const [batch, twoC, h, w] = moments.shape;
  const c = twoC / 2;
  const plane = c * h * w;
  const mean = new Float32Array(batch * plane);
  const logvar = new Float32Array(batch * plane);
  for (let b = 0; b < batch; b++) {
    const src = b * 2 * plane;
    mean.set(moments.data.subarray(src, src + plane), b * plane);
    logvar.set(moments.data.subarray(src + plane, src + 2 * plane).map((v) => Math.min(20, Math.max(-30, v))), b * plane);
  }
  const shape = [batch, c, h, w];
  return { mean: { data: mean, shape }, logvar: { data: logvar, shape } };
}

export class OnnxVaeEncoder implements VaeEncoderModel {
  private readonly io: SessionIo;
  private readonly sample: InputSpec;

  constructor(
    ort: OrtRuntime,
    session: OrtSession,
    private readonly latentChannels = 4,
  ) {
    this.io = new SessionIo(ort, session, 'VAE encoder');
    this.sample = this.io.requireInput(['sample'], 'float');
    this.io.rejectUnknownInputs([this.sample.name]);
  }

  async encode(images: FloatTensor): Promise<LatentDistribution> {
    this.io.checkDims(this.sample, images.shape);
    const out = await this.io.run({ [this.sample.name]: this.io.tensor(this.sample, images.data, images.shape) });
    if ('latent_mean' in out && 'latent_logvar' in out) {
      return {
        kind: 'gaussian',
        mean: this.io.outputOf(out, ['latent_mean']),
        logvar: this.io.outputOf(out, ['latent_logvar']),
      };
    }
    const first = this.io.outputOf(out, ['latent_parameters', 'latent_dist', 'latent_sample']);
    if (first.shape[1] === 2 * this.latentChannels) return { kind: 'gaussian', ...splitMoments(first) };
    if (first.shape[1] === this.latentChannels) return { kind: 'latent', latent: first };
    throw new Error(`VAE encoder output has ${first.shape[1]} channels; expected ${this.latentChannels} or ${2 * this.latentChannels}`);
  }

  dispose(): Promise<void> {
    return this.io.dispose();
  }
}
