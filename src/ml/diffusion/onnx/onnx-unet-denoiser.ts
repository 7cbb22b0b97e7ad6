// The ONNX UNet as a Denoiser. Exports differ in the timestep input: float32 [batch]
// (diffusers' conversion script, our fixture), int64 [1] or a scalar (optimum, Olive);
// the declared type and rank decide what is fed. A [1]-shaped timestep broadcasts over
// the CFG batch inside the UNet. Guidance-distilled UNets (LCM; optimum exports them
// with a `timestep_cond` input) take the guidance-scale embedding instead of CFG.
import type { Denoiser, DeviceDenoiseLoop, LatentShape } from '../denoiser';
import type { FloatTensor } from '../tensor';
import type { OrtRuntime, OrtSession, OrtTensor } from './ort-types';
import { OnnxInputError, SessionIo, type InputSpec } from './session-io';

const SAMPLE = ['sample'];
const TIMESTEP = ['timestep', 'timesteps', 't'];
const CONTEXT = ['encoder_hidden_states'];
const GUIDANCE = ['timestep_cond'];
const OUTPUT = ['out_sample'];

/** A tensor copied to the execution provider's device, freed by `release`. */
export interface DeviceTensor {
  tensor: OrtTensor;
  release(): void;
}

export interface OnnxUnetOptions {
  /**
   * Copies a CPU tensor to the session's device once. When given, the text embeddings
   * (identical on every step) are uploaded once per generation instead of on every
   * step (runtime/device-tensors.ts does this for the WebGPU EP). Returning undefined
   * keeps the tensor on the host.
   */
  toDevice?: (tensor: OrtTensor) => DeviceTensor | undefined;
  /**
   * Runs whole denoising loops beside the UNet's output (runtime/device-denoise-loop.ts),
   * given on the WebGPU EP; without it the pipeline steps on the CPU.
   */
  deviceLoop?: DeviceLoopFactory;
  /** unet/config.json's time_cond_proj_dim, for exports that leave the `timestep_cond` width dynamic. */
  timeCondProjDim?: number;
}

export interface DeviceLoopFactory {
  create(unet: OnnxUnetDenoiser): DeviceDenoiseLoop | undefined;
  dispose(): Promise<void>;
}

interface CachedInput {
  source: FloatTensor;
  tensor: OrtTensor;
  release?: () => void;
}

export class OnnxUnetDenoiser implements Denoiser {
  private readonly io: SessionIo;
  private readonly sample: InputSpec;
  private readonly timestep: InputSpec;
  private readonly context: InputSpec;
  private readonly guidance: InputSpec | undefined;
  readonly guidanceEmbeddingDim: number | undefined;
  // The embeddings are identical on every step, so their ORT tensor (on the device when
  // `toDevice` is given) is built once per embeddings object and reused.
  private cachedContext: CachedInput | null = null;
  private cachedGuidance: CachedInput | null = null;

  constructor(
    ort: OrtRuntime,
    session: OrtSession,
    private readonly options: OnnxUnetOptions = {},
  ) {
    this.io = new SessionIo(ort, session, 'UNet');
    this.sample = this.io.requireInput(SAMPLE, 'float');
    this.timestep = this.io.requireInput(TIMESTEP, 'number');
    this.context = this.io.requireInput(CONTEXT, 'float');
    this.guidance = GUIDANCE.map((n) => this.io.inputs.get(n)).find((s) => s !== undefined);
    this.guidanceEmbeddingDim = this.guidance ? this.guidanceWidth(this.guidance) : undefined;
    this.io.rejectUnknownInputs([this.sample.name, this.timestep.name, this.context.name, ...(this.guidance ? [this.guidance.name] : [])]);
  }

  private guidanceWidth(spec: InputSpec): number {
    if (spec.type && !['float32', 'float16'].includes(spec.type)) {
      throw new OnnxInputError(`UNet input '${spec.name}' has element type ${spec.type}; expected float32 or float16`);
    }
    const declared = spec.shape?.[spec.shape.length - 1];
    const width = typeof declared === 'number' && declared > 0 ? declared : this.options.timeCondProjDim;
    if (width === undefined) {
      throw new OnnxInputError(
        `UNet takes '${spec.name}' (a guidance-distilled model such as LCM) but neither the model nor unet/config.json (time_cond_proj_dim) gives its width`,
      );
    }
    return width;
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

  // The ORT tensor of a per-generation input, on the device when `toDevice` is given.
  private cached(spec: InputSpec, value: FloatTensor, cache: CachedInput | null): CachedInput {
    if (cache?.source === value) return cache;
    this.io.checkDims(spec, value.shape);
    const host = this.io.tensor(spec, value.data, value.shape);
    const device = this.options.toDevice?.(host);
    cache?.release?.();
    return { source: value, tensor: device?.tensor ?? host, release: device?.release };
  }

  async predictNoise(latents: Float32Array, shape: LatentShape, timestep: number, textEmbeddings: FloatTensor, guidanceEmbedding?: FloatTensor): Promise<Float32Array> {
    const out = await this.run(this.sampleTensor(latents, shape), shape, timestep, textEmbeddings, guidanceEmbedding);
    return (await this.io.outputOfAsync(out, OUTPUT)).data;
  }

  /** The UNet input `latents` in the element type the model declares. */
  sampleTensor(latents: Float32Array, shape: LatentShape): OrtTensor {
    this.io.checkDims(this.sample, shape);
    return this.io.tensor(this.sample, latents, shape);
  }

  /**
   * predictNoise on a tensor that may live on the device; the output is returned as ORT
   * left it (in a GPU buffer when the session prefers that) and the caller disposes it.
   */
  async predictOnDevice(sample: OrtTensor, shape: LatentShape, timestep: number, textEmbeddings: FloatTensor, guidanceEmbedding?: FloatTensor): Promise<OrtTensor> {
    return this.io.takeOutput(await this.run(sample, shape, timestep, textEmbeddings, guidanceEmbedding), OUTPUT);
  }

  /** Declared element types of the sample input and the output (undefined where not declared). */
  get ioTypes(): { input: string | undefined; output: string | undefined } {
    const meta = (this.io.session as Partial<Pick<OrtSession, 'outputMetadata'>>).outputMetadata ?? [];
    const out = meta.find((m) => OUTPUT.includes(m.name)) ?? meta[0];
    return { input: this.sample.type, output: out?.isTensor ? out.type : undefined };
  }

  deviceLoop(): DeviceDenoiseLoop | undefined {
    return this.options.deviceLoop?.create(this);
  }

  private run(sample: OrtTensor, shape: LatentShape, timestep: number, textEmbeddings: FloatTensor, guidanceEmbedding?: FloatTensor): Promise<Record<string, OrtTensor>> {
    if (textEmbeddings.shape[0] !== shape[0]) {
      throw new Error(`UNet: latents batch ${shape[0]} but text embeddings batch ${textEmbeddings.shape[0]}`);
    }
    this.cachedContext = this.cached(this.context, textEmbeddings, this.cachedContext);
    const feeds: Record<string, OrtTensor> = {
      [this.sample.name]: sample,
      [this.timestep.name]: this.timestepTensor(timestep, shape[0]),
      [this.context.name]: this.cachedContext.tensor,
    };
    if (this.guidance) {
      if (!guidanceEmbedding) throw new Error(`UNet: this guidance-distilled model needs '${this.guidance.name}' (the guidance-scale embedding)`);
      this.cachedGuidance = this.cached(this.guidance, guidanceEmbedding, this.cachedGuidance);
      feeds[this.guidance.name] = this.cachedGuidance.tensor;
    }
    return this.io.run(feeds);
  }

  async dispose(): Promise<void> {
    for (const c of [this.cachedContext, this.cachedGuidance]) c?.release?.();
    this.cachedContext = null;
    this.cachedGuidance = null;
    await this.options.deviceLoop?.dispose();
    await this.io.dispose();
  }
}
