import type { VaeDecoderModel } from '../components';
import type { FloatTensor } from '../tensor';
import type { OrtRuntime, OrtSession } from './ort-types';
import { SessionIo, type InputSpec } from './session-io';

/** VAE decoder (post_quant_conv + decoder) export: latent_sample → sample. */
export class OnnxVaeDecoder implements VaeDecoderModel {
  private readonly io: SessionIo;
  private readonly latent: InputSpec;

  constructor(ort: OrtRuntime, session: OrtSession) {
    this.io = new SessionIo(ort, session, 'VAE decoder');
    this.latent = this.io.requireInput(['latent_sample'], 'float');
    this.io.rejectUnknownInputs([this.latent.name]);
  }

  async decode(latents: FloatTensor): Promise<FloatTensor> {
    this.io.checkDims(this.latent, latents.shape);
    const out = await this.io.run({ [this.latent.name]: this.io.tensor(this.latent, latents.data, latents.shape) });
    return this.io.outputOf(out, ['sample']);
  }

  dispose(): Promise<void> {
    return this.io.dispose();
  }
}
