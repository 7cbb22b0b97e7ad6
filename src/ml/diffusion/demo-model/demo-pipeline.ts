// The built-in demo diffusion pipeline: a complete diffusers-ONNX folder generated in the
// browser (no download), so the offline demo can run Synthesis end to end. It is NOT a
// learned model. Its denoiser is the exact posterior-mean (Wiener) denoiser of a Gaussian
// prior fitted to the demo phantoms — per Laplacian band of (image − class mean) — and its
// text encoder only knows whether the prompt names an airspace-opacity finding. It goes
// through the same tokenizer → text encoder → VAE → UNet → scheduler path as an SD-1.x
// pipeline, and img2img behaves as it does there: strength sets how much of the source
// survives, guidance how strongly the prompt's finding is pushed in. Its images are
// phantoms, never realistic radiographs.
//
// Model in image space (the "VAE" is gray ↔ RGB, scale factor 1): x0 = m_c + r, where
// m_c = mean normal + c · (mean positive − mean normal), c ∈ [0, 1] from the prompt, and
// r has independent Gaussian Laplacian bands of variance v_k. With y = x_t/√ᾱ = x0 + σn
// (σ² = (1−ᾱ)/ᾱ), white noise puts variance σ²w_k into band k, so
//   ε̂ = (y − E[x0|y]) / σ = Σ_k up^k( σ w_k / (v_k + σ² w_k) · L_k(y − m_c) ).
import { DDIM_SD15 } from './scheduler-config';
import { OnnxGraph, OnnxType } from '../../onnx-builder/onnx-graph';
import { noiseSchedule, parseSchedulerConfig } from '../schedulers';
import { BOS_TOKEN, CLIP_CONTEXT_LENGTH, EOS_TOKEN } from '../tokenizer';
import { buildDemoVocabulary, DEMO_FINDING_WORDS } from './demo-vocabulary';
import { measurePhantomPrior, type PhantomPrior } from './phantom-prior';

export const DEMO_PIPELINE_NAME = 'Demo phantom LDM (built-in, analytic — not a learned model)';
export const DEMO_PIPELINE_VERSION = 'demo-phantom-ldm@1';

export interface DemoPipelineOptions {
  /** image side in pixels, a power of two (default 256, the demo dataset's default size) */
  size?: number;
  /** phantoms per class the prior is measured on (default 24) */
  samples?: number;
  /** latent = scale × gray in [−1, 1] (the VAE scaling factor's role in SD: the data's SNR against unit noise) */
  latentScale?: number;
}

export interface DemoPipeline {
  /** path inside the pipeline folder → content */
  files: Record<string, Uint8Array>;
  prior: PhantomPrior;
}

/** Chosen by eye on the phantoms: at strength 0.5 the source anatomy survives and opacities appear. */
const DEFAULT_LATENT_SCALE = 2;

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');

function textEncoderModel(vocab: Record<string, number>, findingTokens: readonly string[]): Uint8Array {
  // One feature per token: 1 for a finding word. The UNet sums it over the prompt.
  const table = new Float32Array(Object.keys(vocab).length);
  for (const t of findingTokens) table[vocab[t]] = 1;
  const g = new OnnxGraph('demo_text_encoder');
  const ids = g.input('input_ids', OnnxType.int64, ['batch', CLIP_CONTEXT_LENGTH]);
  g.node('Gather', [g.tensor(table, [table.length, 1], 'token_embedding'), ids], { axis: 0 }, 'last_hidden_state');
  g.output('last_hidden_state', OnnxType.float, ['batch', CLIP_CONTEXT_LENGTH, 1]);
  return g.toModel(17);
}

function unetModel(prior: PhantomPrior, scheduler: Record<string, unknown>, latentScale: number): Uint8Array {
  const { size, levels } = prior;
  const { alphasCumprod } = noiseSchedule(parseSchedulerConfig(scheduler).config);
  const sigma = Float32Array.from(alphasCumprod, (a) => Math.sqrt((1 - a) / a));
  const invSqrtAlpha = Float32Array.from(alphasCumprod, (a) => 1 / Math.sqrt(a));
  const g = new OnnxGraph('demo_phantom_wiener_unet');
  const sample = g.input('sample', OnnxType.float, ['batch', 1, size, size]);
  const timestep = g.input('timestep', OnnxType.float, [1]);
  const context = g.input('encoder_hidden_states', OnnxType.float, ['batch', CLIP_CONTEXT_LENGTH, 1]);

  // class mean m_c
  const c = g.node('Clip', [g.node('ReduceSum', [context, g.i64([1, 2])], { keepdims: 0 }), g.f32(0), g.f32(1)]);
  const c4 = g.node('Reshape', [c, g.i64([-1, 1, 1, 1])]);
  const scaled = (a: Float32Array) => a.map((x) => x * latentScale);
  const shift = g.tensor(scaled(prior.findingShift), [1, 1, size, size], 'finding_shift');
  const mean = g.node('Add', [g.tensor(scaled(prior.meanNormal), [1, 1, size, size], 'mean_normal'), g.node('Mul', [c4, shift])]);

  // noise level of this timestep (rounded: Euler schedulers pass fractional timesteps)
  const t = g.node('Cast', [g.node('Clip', [g.node('Add', [timestep, g.f32(0.5)]), g.f32(0), g.f32(sigma.length - 0.5)])], { to: OnnxType.int32 });
  const s = g.node('Gather', [g.tensor(sigma, [sigma.length], 'sigma_table'), t], { axis: 0 });
  const k = g.node('Gather', [g.tensor(invSqrtAlpha, [invSqrtAlpha.length], 'inv_sqrt_alpha_table'), t], { axis: 0 });
  const d = g.node('Sub', [g.node('Mul', [sample, k]), mean]);

  // per-band gains σw/(v + σ²w)
  const w = g.tensor(Float32Array.from(prior.noiseShare), [levels + 1], 'band_noise_share');
  const v = g.tensor(Float32Array.from(prior.bandVariance, (x) => x * latentScale ** 2), [levels + 1], 'band_variance');
  const gains = g.node('Div', [g.node('Mul', [s, w]), g.node('Add', [v, g.node('Mul', [g.node('Mul', [s, s]), w])])]);
  const gain = (i: number) => g.node('Gather', [gains, g.i64(i)], { axis: 0 });

  const up2 = g.f32([1, 1, 2, 2]);
  const up = (x: string) => g.node('Resize', [x, '', up2], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  const bands: string[] = [];
  let level = d;
  for (let i = 0; i < levels; i++) {
    const down = g.node('AveragePool', [level], { kernel_shape: [2, 2], strides: [2, 2] });
    bands.push(g.node('Sub', [level, up(down)]));
    level = down;
  }
  let acc = g.node('Mul', [level, gain(levels)]);
  for (let i = levels - 1; i >= 0; i--) {
    acc = g.node('Add', [up(acc), g.node('Mul', [bands[i], gain(i)])], {}, i === 0 ? 'out_sample' : undefined);
  }
  g.output('out_sample', OnnxType.float, ['batch', 1, size, size]);
  return g.toModel(17);
}

function vaeEncoderModel(size: number): Uint8Array {
  const g = new OnnxGraph('demo_gray_vae_encoder');
  const x = g.input('sample', OnnxType.float, ['batch', 3, size, size]);
  g.node('ReduceMean', [x], { axes: [1], keepdims: 1 }, 'latent_sample');
  g.output('latent_sample', OnnxType.float, ['batch', 1, size, size]);
  return g.toModel(17);
}

function vaeDecoderModel(size: number): Uint8Array {
  const g = new OnnxGraph('demo_gray_vae_decoder');
  const z = g.input('latent_sample', OnnxType.float, ['batch', 1, size, size]);
  g.node('Concat', [z, z, z], { axis: 1 }, 'sample');
  g.output('sample', OnnxType.float, ['batch', 3, size, size]);
  return g.toModel(17);
}

export function buildDemoPipeline(options: DemoPipelineOptions = {}): DemoPipeline {
  const size = options.size ?? 256;
  const latentScale = options.latentScale ?? DEFAULT_LATENT_SCALE;
  const prior = measurePhantomPrior({ size, samples: options.samples });
  const { vocab, mergesTxt, wordTokens } = buildDemoVocabulary();
  const note = `${DEMO_PIPELINE_VERSION}: generated in the browser from the demo phantoms; not a learned model (see src/ml/diffusion/demo-model/demo-pipeline.ts)`;
  // The VAE is gray ↔ RGB at full resolution: one "block" (scale factor 1), one latent channel.
  const vaeConfig = { _class_name: 'AutoencoderKL', _cxr_demo: note, block_out_channels: [1], latent_channels: 1, scaling_factor: latentScale, sample_size: size };
  const files: Record<string, Uint8Array> = {
    'model_index.json': json({
      _class_name: 'StableDiffusionImg2ImgPipeline',
      _cxr_demo: note,
      scheduler: ['diffusers', 'DDIMScheduler'],
      text_encoder: ['transformers', 'CLIPTextModel'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      unet: ['diffusers', 'UNet2DConditionModel'],
      vae: ['diffusers', 'AutoencoderKL'],
      safety_checker: [null, null],
      feature_extractor: [null, null],
      requires_safety_checker: false,
    }),
    'scheduler/scheduler_config.json': json(DDIM_SD15),
    'tokenizer/vocab.json': json(vocab),
    'tokenizer/merges.txt': new TextEncoder().encode(mergesTxt),
    // SD-1.x's CLIPTokenizer settings: prompts padded with <|endoftext|>.
    'tokenizer/tokenizer_config.json': json({ tokenizer_class: 'CLIPTokenizer', model_max_length: CLIP_CONTEXT_LENGTH, bos_token: BOS_TOKEN, eos_token: EOS_TOKEN, pad_token: EOS_TOKEN, unk_token: EOS_TOKEN }),
    'text_encoder/model.onnx': textEncoderModel(vocab, DEMO_FINDING_WORDS.map((w) => wordTokens[w])),
    // block_out_channels only tells the loader the pyramid's total downsampling (2^levels).
    'unet/config.json': json({ _class_name: 'UNet2DConditionModel', _cxr_demo: note, in_channels: 1, out_channels: 1, sample_size: size, cross_attention_dim: 1, block_out_channels: new Array(prior.levels + 1).fill(1) }),
    'unet/model.onnx': unetModel(prior, DDIM_SD15, latentScale),
    'vae_encoder/config.json': json(vaeConfig),
    'vae_encoder/model.onnx': vaeEncoderModel(size),
    'vae_decoder/config.json': json(vaeConfig),
    'vae_decoder/model.onnx': vaeDecoderModel(size),
  };
  return { files, prior };
}
