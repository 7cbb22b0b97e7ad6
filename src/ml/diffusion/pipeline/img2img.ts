// Text-guided image-to-image (SDEdit, Meng et al. 2022) as diffusers 0.31
// StableDiffusionImg2ImgPipeline runs it: encode the init image, sample q(z|x), scale,
// noise it to the timestep that `strength` selects, denoise with CFG, decode.
// The fixtures README ("The recipe") lists the same steps with reference arrays.
import { createRng, type Rng } from '../../../core/random';
import type { TextEncoderModel, VaeDecoderModel, VaeEncoderModel } from '../components';
import type { Denoiser, DeviceDenoiseLoop, LatentShape } from '../denoiser';
import { img2imgSchedule, timestepsForStrength, type Scheduler } from '../schedulers';
import { concatBatch, type FloatTensor } from '../tensor';
import type { ClipTokenizer } from '../tokenizer';
import { applyGuidance, duplicateBatch, guidanceScaleEmbedding } from './guidance';
import { imageToVaeInput, vaeOutputToImage, type PixelImage } from './image-io';
import type { PipelineConfig } from './pipeline-config';

export interface Img2ImgComponents {
  tokenizer: ClipTokenizer;
  textEncoder: TextEncoderModel;
  vaeEncoder: VaeEncoderModel;
  vaeDecoder: VaeDecoderModel;
  denoiser: Denoiser;
  scheduler: Scheduler;
  config: PipelineConfig;
}

export type Img2ImgStage = 'encode-prompt' | 'encode-image' | 'denoise' | 'decode';

export interface Img2ImgProgress {
  stage: Img2ImgStage;
  /** Denoising steps done (0 outside the denoise stage). */
  done: number;
  total: number;
  timestep?: number;
}

/** Noise supplied by the caller instead of drawn from the seeded RNG (tests, replays). */
export interface InjectedNoise {
  /** ε for sampling q(z|x): z = mean + exp(½·logvar)·ε, shape of the latents. */
  vaePosterior: Float32Array;
  /** ε for forward-diffusing the init latents to the start timestep. */
  addNoise: Float32Array;
}

export interface Img2ImgParams {
  image: PixelImage;
  prompt: string;
  negativePrompt?: string;
  /** 0..1: fraction of the schedule that is run; 1 ignores the image except for its size. */
  strength: number;
  numInferenceSteps: number;
  /**
   * CFG weight w; w ≤ 1 runs the cond branch only (diffusers: guidance_scale > 1). A
   * guidance-distilled UNet (LCM) gets w as its guidance embedding and runs no CFG.
   */
  guidanceScale: number;
  /** DDIM η (0 = deterministic). Ignored by other schedulers. */
  eta?: number;
  /** Output size; defaults to the model's (unet.sample_size × vae scale factor). */
  width?: number;
  height?: number;
  /** Seed of the app RNG. Draw order: VAE posterior noise, add-noise, then per-step noise. */
  seed?: number;
  noise?: InjectedNoise;
  /**
   * Run the loop on the denoiser's device when it offers one (default true): latents stay
   * in GPU buffers between steps. false runs guidance and the scheduler on the CPU.
   */
  deviceLoop?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Img2ImgProgress) => void;
  /**
   * Intermediate arrays under the fixture names (vae_input, init_latents_unscaled,
   * init_latents_scaled, latents_noised, step{i}/unet_input, step{i}/unet_output,
   * step{i}/noise_pred_guided, step{i}/pred_original_sample, step{i}/latents,
   * vae_decoder_input, vae_decoder_output, prompt_embeds, negative_prompt_embeds).
   */
  onIntermediate?: (name: string, data: Float32Array) => void;
}

export interface Img2ImgResult {
  width: number;
  height: number;
  /** RGB bytes, row-major HWC. */
  rgb: Uint8Array;
  /** NHWC float in [0, 1] (diffusers output_type="np"). */
  image: Float32Array;
  /** Final latents (scaled, as the scheduler saw them). */
  latents: Float32Array;
  timesteps: number[];
  /** where guidance and the scheduler ran */
  loop: 'device' | 'host';
}

interface DenoiseSteps {
  timesteps: number[];
  unetShape: LatentShape;
  embeddings: FloatTensor;
  /** the guidance-scale embedding of a guidance-distilled UNet */
  guidanceEmbedding: FloatTensor | undefined;
  doCfg: boolean;
  rng: Rng | undefined;
  params: Img2ImgParams;
  trace: (name: string, data: Float32Array) => void;
}

export class Img2ImgPipeline {
  constructor(readonly components: Img2ImgComponents) {}

  async run(params: Img2ImgParams): Promise<Img2ImgResult> {
    const { vaeEncoder, vaeDecoder, denoiser, scheduler, config } = this.components;
    const { signal, onProgress } = params;
    const trace = params.onIntermediate ?? (() => undefined);
    const width = params.width ?? config.defaultWidth;
    const height = params.height ?? config.defaultHeight;
    if (width % config.sizeMultiple !== 0 || height % config.sizeMultiple !== 0) {
      throw new Error(`image size ${width}×${height} must be a multiple of ${config.sizeMultiple} for this model`);
    }
    if (!params.noise && params.seed === undefined) throw new Error('img2img needs a seed or injected noise');
    const rng: Rng | undefined = params.seed !== undefined ? createRng(params.seed) : undefined;
    const draw = (n: number, injected: Float32Array | undefined, what: string): Float32Array => {
      if (injected) {
        if (injected.length !== n) throw new Error(`injected ${what} noise has ${injected.length} values, expected ${n}`);
        return injected;
      }
      if (!rng) throw new Error(`img2img: no ${what} noise injected and no seed given`);
      const out = new Float32Array(n);
      rng.fillNormal(out);
      return out;
    };
    // A guidance-distilled UNet (LCM) is guided through its embedding input and never runs
    // CFG (diffusers: guidance_scale > 1 and time_cond_proj_dim is None).
    const guidanceDim = denoiser.guidanceEmbeddingDim;
    const schedule = img2imgSchedule(scheduler.kind, guidanceDim !== undefined);
    const { timesteps, latentTimestep } = timestepsForStrength(scheduler, params.numInferenceSteps, params.strength, schedule);
    const doCfg = params.guidanceScale > 1 && guidanceDim === undefined;
    const guidanceEmbedding: FloatTensor | undefined =
      guidanceDim === undefined ? undefined : { data: guidanceScaleEmbedding(params.guidanceScale, guidanceDim), shape: [1, guidanceDim] };
    if (guidanceEmbedding) trace('timestep_cond', guidanceEmbedding.data);

    onProgress?.({ stage: 'encode-prompt', done: 0, total: timesteps.length });
    const embeddings = await this.encodePrompts(params.prompt, params.negativePrompt ?? '', doCfg, trace);
    signal?.throwIfAborted();

    onProgress?.({ stage: 'encode-image', done: 0, total: timesteps.length });
    const vaeInput = imageToVaeInput(params.image, width, height);
    trace('vae_input', vaeInput);
    const posterior = await vaeEncoder.encode({ data: vaeInput, shape: [1, 3, height, width] });
    let z: Float32Array;
    let latentShape: readonly number[];
    if (posterior.kind === 'gaussian') {
      const { mean, logvar } = posterior;
      latentShape = mean.shape;
      const eps = draw(mean.data.length, params.noise?.vaePosterior, 'VAE posterior');
      // DiagonalGaussianDistribution.sample(): mean + exp(½·logvar)·ε, in float32.
      z = mean.data.map((m, i) => m + Math.fround(Math.fround(Math.exp(Math.fround(0.5 * logvar.data[i]))) * eps[i]));
    } else {
      latentShape = posterior.latent.shape;
      z = posterior.latent.data;
    }
    trace('init_latents_unscaled', z);
    const z0 = z.map((v) => Math.fround(config.scalingFactor * (v - config.shiftFactor)));
    trace('init_latents_scaled', z0);
    const addNoise = draw(z0.length, params.noise?.addNoise, 'add-noise');
    let latents = scheduler.addNoise(z0, addNoise, latentTimestep);
    trace('latents_noised', latents);
    signal?.throwIfAborted();

    const [, c, h, w] = latentShape;
    const unetShape: LatentShape = [doCfg ? 2 : 1, c, h, w];
    const loop = params.deviceLoop === false || !scheduler.plansSteps ? undefined : denoiser.deviceLoop?.();
    const steps: DenoiseSteps = { timesteps, unetShape, embeddings, guidanceEmbedding, doCfg, rng, params, trace };
    latents = loop ? await this.denoiseOnDevice(loop, latents, steps) : await this.denoiseOnHost(latents, steps);
    onProgress?.({ stage: 'decode', done: timesteps.length, total: timesteps.length });

    const decoderInput = latents.map((v) => Math.fround(v / config.scalingFactor) + config.shiftFactor);
    trace('vae_decoder_input', decoderInput);
    const decoded = await vaeDecoder.decode({ data: decoderInput, shape: [1, c, h, w] });
    trace('vae_decoder_output', decoded.data);
    const [, , outH, outW] = decoded.shape;
    const { rgb, float } = vaeOutputToImage(decoded.data, outW, outH);
    return { width: outW, height: outH, rgb, image: float, latents, timesteps, loop: loop ? 'device' : 'host' };
  }

  private async denoiseOnHost(start: Float32Array, s: DenoiseSteps): Promise<Float32Array> {
    const { denoiser, scheduler } = this.components;
    const { timesteps, unetShape, embeddings, guidanceEmbedding, doCfg, rng, params, trace } = s;
    let latents = start;
    for (let i = 0; i < timesteps.length; i++) {
      const t = timesteps[i];
      params.onProgress?.({ stage: 'denoise', done: i, total: timesteps.length, timestep: t });
      const scaled = scheduler.scaleModelInput(latents, t);
      const unetInput = doCfg ? duplicateBatch(scaled) : scaled;
      trace(`step${i}/unet_input`, unetInput);
      const unetOutput = await denoiser.predictNoise(unetInput, unetShape, t, embeddings, guidanceEmbedding);
      trace(`step${i}/unet_output`, unetOutput);
      const guided = doCfg ? applyGuidance(unetOutput, params.guidanceScale) : unetOutput;
      trace(`step${i}/noise_pred_guided`, guided);
      const stepped = scheduler.step(guided, t, latents, { rng, eta: params.eta });
      latents = stepped.prevSample;
      trace(`step${i}/pred_original_sample`, stepped.predOriginalSample);
      trace(`step${i}/latents`, latents);
      params.signal?.throwIfAborted();
    }
    return latents;
  }

  // The same steps with the latents on the device: the scheduler only supplies each step's
  // coefficients. Intermediates are read back only when a trace asks for them.
  private async denoiseOnDevice(loop: DeviceDenoiseLoop, start: Float32Array, s: DenoiseSteps): Promise<Float32Array> {
    const { scheduler } = this.components;
    const { timesteps, unetShape, embeddings, guidanceEmbedding, doCfg, rng, params, trace } = s;
    const tracing = params.onIntermediate !== undefined;
    try {
      await loop.start(start, unetShape, scheduler.scaleModelInput(start, timesteps[0]));
      for (let i = 0; i < timesteps.length; i++) {
        const t = timesteps[i];
        params.onProgress?.({ stage: 'denoise', done: i, total: timesteps.length, timestep: t });
        await loop.predict(t, embeddings, guidanceEmbedding);
        if (tracing) {
          trace(`step${i}/unet_input`, await loop.read('unet_input'));
          const unetOutput = await loop.read('unet_output');
          trace(`step${i}/unet_output`, unetOutput);
          trace(`step${i}/noise_pred_guided`, doCfg ? applyGuidance(unetOutput, params.guidanceScale) : unetOutput);
        }
        const step = scheduler.planStep(t, start.length, { rng, eta: params.eta });
        const nextDivisor = i + 1 < timesteps.length ? scheduler.modelInputDivisor(timesteps[i + 1]) : 1;
        await loop.advance(step, doCfg ? params.guidanceScale : 1, nextDivisor);
        if (tracing) {
          trace(`step${i}/pred_original_sample`, await loop.read('denoised'));
          trace(`step${i}/latents`, await loop.read('latents'));
        }
        params.signal?.throwIfAborted();
      }
      return await loop.read('latents');
    } finally {
      loop.dispose();
    }
  }

  private async encodePrompts(
    prompt: string,
    negativePrompt: string,
    doCfg: boolean,
    trace: (name: string, data: Float32Array) => void,
  ): Promise<FloatTensor> {
    const { tokenizer, textEncoder, config } = this.components;
    const tokenize = (text: string) => tokenizer.tokenize(text, { padId: config.padTokenId ?? tokenizer.eosId });
    const cond = await textEncoder.encode(tokenize(prompt), 1);
    trace('prompt_embeds', cond.data);
    if (!doCfg) return cond;
    const uncond = await textEncoder.encode(tokenize(negativePrompt), 1);
    trace('negative_prompt_embeds', uncond.data);
    return concatBatch([uncond, cond]);
  }

  async dispose(): Promise<void> {
    const { textEncoder, vaeEncoder, vaeDecoder, denoiser } = this.components;
    await Promise.all([textEncoder.dispose(), vaeEncoder.dispose(), vaeDecoder.dispose(), denoiser.dispose()]);
  }
}
