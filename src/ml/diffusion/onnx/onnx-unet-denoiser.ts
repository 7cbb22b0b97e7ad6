// The ONNX UNet as a Denoiser. Exports differ in the timestep input: float32 [batch]
// (diffusers' conversion script, our fixture), int64 [1] or a scalar (optimum, Olive);
// the declared type and rank decide what is fed. A [1]-shaped timestep broadcasts over
// the CFG batch inside the UNet.
import type { Denoiser, LatentShape } from '../denoiser';
import type { FloatTensor } from '../tensor';
import type { OrtRuntime, OrtSession, OrtTensor } from './ort-types';
import { SessionIo, type InputSpec } from './session-io';

const SAMPLE = ['sample'];
const TIMESTEP = ['timestep', 'timesteps', 't'];
const CONTEXT = ['encoder_hidden_states'];

export class OnnxUnetDenoiser implements Denoiser {
  private readonly io: SessionIo;
  private readonly sample: InputSpec;
  private readonly timestep: InputSpec;
  private readonly context: InputSpec;
  // Phase 2 (GPU-resident tensors): the embeddings are identical on every step, so their
  // ORT tensor is built once per embeddings object and reused.
  private cachedContext: { source: FloatTensor; tensor: OrtTensor } | null = null;

  constructor(ort: OrtRuntime, session: OrtSession) {
    this.io = new SessionIo(ort, session, 'UNet');
    this.sample = this.io.requireInput(SAMPLE, 'float');
    this.timestep = this.io.requireInput(TIMESTEP, 'number');
    this.context = this.io.requireInput(CONTEXT, 'float');
    this.io.rejectUnknownInputs([this.sample.name, this.timestep.name, this.context.name]);
  }

  private timestepTensor(timestep: number, batch: number): OrtTensor {
    const declared = this.timestep.shape;
    let dims: number[];
    if (declared && declared.length === 0) dims = [];
    else if (declared && declared.length === 1 && declared[0] === 1) dims = [1];
    else dims = [batch];
    const count = dims.length === 0 ? 1 : dims[0];
    return this.io.tensor(this.timestep, new Float64Array(count).fill(timestep), dims);
  }

  private contextTensor(textEmbeddings: FloatTensor): OrtTensor {
    if (this.cachedContext?.source !== textEmbeddings) {
      this.io.checkDims(this.context, textEmbeddings.shape);
      this.cachedContext = {
        source: textEmbeddings,
        tensor: this.io.tensor(this.context, textEmbeddings.data, textEmbeddings.shape),
      };
    }
    return this.cachedContext.tensor;
  }

  async predictNoise(latents: Float32Array, shape: LatentShape, timestep: number, textEmbeddings: FloatTensor): Promise<Float32Array> {
    if (textEmbeddings.shape[0] !== shape[0]) {
      throw new Error(`UNet: latents batch ${shape[0]} but text embeddings batch ${textEmbeddings.shape[0]}`);
    }
    this.io.checkDims(this.sample, shape);
    const out = await this.io.run({
      [this.sample.name]: this.io.tensor(this.sample, latents, shape),
      [this.timestep.name]: this.timestepTensor(timestep, shape[0]),
      [this.context.name]: this.contextTensor(textEmbeddings),
    });
    return this.io.outputOf(out, ['out_sample']).data;
  }

  dispose(): Promise<void> {
    this.cachedContext = null;
    return this.io.dispose();
  }
}
