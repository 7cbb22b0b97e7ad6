// The img2img denoising loop on ORT's WebGPU EP with the latents kept in GPU buffers: the
// UNet leaves its output on the GPU (preferredOutputLocation), the step graph
// (onnx/latent-step-graph.ts) turns it into the next latents and the next UNet input there,
// and only the scheduler's coefficients, fresh noise and the timestep go up each step.
// Nothing comes back until the pipeline reads the final latents (or a trace asks).
import type { DeviceDenoiseLoop, DeviceLoopArray, LatentShape } from '../denoiser';
import { stepCoefficients, stepGraphKey, stepGraphModel, STEP_COEF_COUNT, type StepGraphFloat, type StepGraphVariant } from '../onnx/latent-step-graph';
import type { DeviceLoopFactory, DeviceTensor, OnnxUnetDenoiser } from '../onnx/onnx-unet-denoiser';
import type { OrtModule, OrtSession, OrtTensor } from '../onnx/ort-types';
import { readFloat32, toFloat32 } from '../onnx/session-io';
import { duplicateBatch } from '../pipeline/guidance';
import type { LinearStep } from '../schedulers';
import type { FloatTensor } from '../tensor';

/** A device tensor this loop owns, with what it was made from when it was uploaded. */
interface Held extends DeviceTensor {
  host?: Float32Array;
}

const owned = (tensor: OrtTensor): Held => ({ tensor, release: () => tensor.dispose() });

function floatKind(t: OrtTensor, what: string): StepGraphFloat {
  if (t.type === 'float32' || t.type === 'float16') return t.type;
  throw new Error(`device denoising loop: the UNet ${what} is ${t.type}; only float32 and float16 are supported`);
}

/** Step-graph sessions, one per variant, shared by a pipeline's loops. */
class StepSessions {
  private readonly sessions = new Map<string, Promise<OrtSession>>();

  constructor(
    private readonly ort: OrtModule,
    private readonly provider: DeviceLoopOptions['provider'],
  ) {}

  get(variant: StepGraphVariant): Promise<OrtSession> {
    const key = stepGraphKey(variant);
    let s = this.sessions.get(key);
    if (!s) {
      s = this.ort.InferenceSession.create(stepGraphModel(variant), {
        executionProviders: [this.provider],
        ...(this.provider === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
      });
      this.sessions.set(key, s);
      // A failed creation is not cached, so the next generation tries again.
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.then((x) => x.release(), () => undefined)));
  }
}

class OrtDeviceDenoiseLoop implements DeviceDenoiseLoop {
  private latents?: Held;
  private history?: Held;
  private zeros?: Held;
  private input?: Held;
  private output?: Held;
  private shape?: LatentShape;
  // GPU work of the step before the last; awaited so the CPU queues at most one step ahead
  // and progress, ETA and cancel follow the GPU.
  private fence: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly ort: OrtModule,
    private readonly options: DeviceLoopOptions,
    private readonly unet: OnnxUnetDenoiser,
    private readonly sessions: StepSessions,
  ) {}

  private latentDims(): number[] {
    const [, c, h, w] = this.need(this.shape, 'start()');
    return [1, c, h, w];
  }

  private need<T>(value: T | undefined, what: string): T {
    if (this.disposed) throw new Error('device denoising loop used after dispose()');
    if (value === undefined) throw new Error(`device denoising loop: call ${what} first`);
    return value;
  }

  private hold(host: Float32Array, tensor: OrtTensor): Held {
    return { ...this.options.upload(tensor), host };
  }

  start(latents: Float32Array, shape: LatentShape, scaled: Float32Array): Promise<void> {
    this.shape = shape;
    const dims = this.latentDims();
    this.latents = this.hold(latents, new this.ort.Tensor('float32', latents, dims));
    this.zeros = this.hold(new Float32Array(latents.length), new this.ort.Tensor('float32', new Float32Array(latents.length), dims));
    const input = shape[0] === 2 ? duplicateBatch(scaled) : scaled;
    const tensor = this.unet.sampleTensor(input, shape);
    floatKind(tensor, 'input');
    this.input = this.hold(toFloat32(tensor), tensor);
    return Promise.resolve();
  }

  async predict(timestep: number, textEmbeddings: FloatTensor, guidanceEmbedding?: FloatTensor): Promise<void> {
    const input = this.need(this.input, 'start()');
    this.output?.release();
    this.output = undefined;
    this.output = owned(await this.unet.predictOnDevice(input.tensor, this.need(this.shape, 'start()'), timestep, textEmbeddings, guidanceEmbedding));
  }

  async advance(step: LinearStep, guidanceScale: number, nextDivisor: number): Promise<void> {
    const output = this.need(this.output, 'predict()');
    const latents = this.need(this.latents, 'start()');
    const input = this.need(this.input, 'start()');
    const zeros = this.need(this.zeros, 'start()');
    const shape = this.need(this.shape, 'start()');
    const session = await this.sessions.get({
      cfg: shape[0] === 2,
      clip: step.x0.clip !== undefined,
      unetOutput: floatKind(output.tensor, 'output'),
      unetInput: floatKind(input.tensor, 'input'),
    });
    const dims = this.latentDims();
    const r = await session.run({
      sample: latents.tensor,
      unet_output: output.tensor,
      history: (this.history ?? zeros).tensor,
      noise: step.noise ? new this.ort.Tensor('float32', step.noise, dims) : zeros.tensor,
      coef: new this.ort.Tensor('float32', stepCoefficients(step, guidanceScale, nextDivisor), [STEP_COEF_COUNT]),
    });
    for (const held of [latents, this.history, input, output]) held?.release();
    this.latents = owned(r.latents);
    this.history = owned(r.denoised);
    this.input = owned(r.unet_input);
    this.output = undefined;
    const previous = this.fence;
    this.fence = this.options.queued?.() ?? Promise.resolve();
    await previous;
  }

  async read(what: DeviceLoopArray): Promise<Float32Array> {
    const held = { latents: this.latents, denoised: this.history, unet_input: this.input, unet_output: this.output }[what];
    const h = this.need(held, what === 'unet_output' ? 'predict()' : what === 'denoised' ? 'advance()' : 'start()');
    return h.host ? h.host.slice() : readFloat32(h.tensor, false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const held of [this.latents, this.history, this.zeros, this.input, this.output]) held?.release();
    this.latents = this.history = this.zeros = this.input = this.output = undefined;
  }
}

export interface DeviceLoopOptions {
  /** where the step graph runs: the UNet's execution provider ('wasm' only in tests) */
  provider: 'webgpu' | 'wasm';
  /** copies a CPU tensor to the device (runtime/device-tensors.ts) */
  upload: (t: OrtTensor) => DeviceTensor;
  /** resolves when the work queued so far has finished (GPUQueue.onSubmittedWorkDone) */
  queued?: () => Promise<unknown>;
}

export interface DeviceLoops extends DeviceLoopFactory {
  /**
   * Creates the step-graph sessions this UNet will need (with and without guidance, with
   * and without clipping), so a WebGPU EP that cannot build them is found at load time and
   * the pipeline steps on the CPU instead. Resolves to the reason when it cannot.
   */
  prepare(unet: OnnxUnetDenoiser): Promise<string | undefined>;
}

const isStepFloat = (t: string | undefined): t is StepGraphFloat => t === 'float32' || t === 'float16';

/** Device loops for a UNet; the step sessions live until the pipeline is disposed. */
export function deviceLoops(ort: OrtModule, options: DeviceLoopOptions): DeviceLoops {
  const sessions = new StepSessions(ort, options.provider);
  return {
    create: (unet) => new OrtDeviceDenoiseLoop(ort, options, unet, sessions),
    prepare: async (unet) => {
      const { input, output = input } = unet.ioTypes;
      const unetInput = input ?? 'float32';
      const unetOutput = output ?? unetInput;
      if (!isStepFloat(unetInput) || !isStepFloat(unetOutput)) return `the UNet's sample/output are ${unetInput}/${unetOutput}, not float32 or float16`;
      try {
        for (const cfg of [true, false]) for (const clip of [false, true]) await sessions.get({ cfg, clip, unetInput, unetOutput });
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
    dispose: () => sessions.dispose(),
  };
}
