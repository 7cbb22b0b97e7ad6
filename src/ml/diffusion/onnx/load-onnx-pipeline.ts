// Assembles an img2img pipeline from a diffusers ONNX folder (model_index.json,
// text_encoder/, unet/, vae_encoder/, vae_decoder/, tokenizer/, scheduler/). File access
// and session creation are injected: the worker reads OPFS and picks the execution
// provider; Node tests read the fixture folder.
import { Img2ImgPipeline } from '../pipeline/img2img';
import { pipelineConfigFromDiffusers, SD_VAE_DEFAULTS } from '../pipeline/pipeline-config';
import { schedulerFromDiffusersConfig, type SchedulerKind } from '../schedulers';
import { assumedPadToken, clipTokenizerFromTokenizerJson, clipTokenizerFromVocabMerges, padTokenFromConfigs, type ClipTokenizer, type PadToken } from '../tokenizer';
import { OnnxTextEncoder } from './onnx-text-encoder';
import { OnnxUnetDenoiser, type OnnxUnetOptions } from './onnx-unet-denoiser';
import { OnnxVaeDecoder } from './onnx-vae-decoder';
import { OnnxVaeEncoder } from './onnx-vae-encoder';
import type { OrtRuntime, OrtSession } from './ort-types';

export type OnnxComponentName = 'text_encoder' | 'unet' | 'vae_encoder' | 'vae_decoder';

export interface PipelineFiles {
  /** Text of a file under the pipeline folder, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
}

export interface LoadOnnxPipelineOptions {
  ort: OrtRuntime;
  files: PipelineFiles;
  /** Creates the session for `<component>/model.onnx` (reading bytes and external data). */
  createSession(component: OnnxComponentName): Promise<OrtSession>;
  /** Use another scheduler class with the model's scheduler config (diffusers from_config). */
  scheduler?: SchedulerKind;
  /** Device placement of the UNet's inputs (see OnnxUnetOptions). */
  unet?: OnnxUnetOptions;
}

async function readJson(files: PipelineFiles, path: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  const text = await files.readText(path);
  if (text === undefined) {
    if (required) throw new Error(`pipeline folder is missing ${path}`);
    return undefined;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The first of `paths` that exists, parsed; undefined when none does. */
export async function readFirstJson(files: PipelineFiles, paths: readonly string[]): Promise<Record<string, unknown> | undefined> {
  for (const p of paths) {
    const json = await readJson(files, p, false);
    if (json) return json;
  }
  return undefined;
}

export async function loadClipTokenizer(files: PipelineFiles): Promise<ClipTokenizer> {
  const vocab = await files.readText('tokenizer/vocab.json');
  const merges = await files.readText('tokenizer/merges.txt');
  if (vocab !== undefined && merges !== undefined) return clipTokenizerFromVocabMerges(vocab, merges);
  const single = await files.readText('tokenizer/tokenizer.json');
  if (single !== undefined) return clipTokenizerFromTokenizerJson(single);
  throw new Error('pipeline folder has neither tokenizer/vocab.json + merges.txt nor tokenizer/tokenizer.json');
}

/** The pad token the tokenizer folder names, if any (see tokenizer/pad-token.ts). */
async function configuredPadToken(files: PipelineFiles): Promise<PadToken | undefined> {
  const specialTokensMap = await readJson(files, 'tokenizer/special_tokens_map.json', false);
  const tokenizerConfig = await readJson(files, 'tokenizer/tokenizer_config.json', false);
  return (
    padTokenFromConfigs({ specialTokensMap, tokenizerConfig }) ??
    padTokenFromConfigs({ tokenizerJson: await readJson(files, 'tokenizer/tokenizer.json', false) })
  );
}

function numberOr(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function padTokenId(tokenizer: ClipTokenizer, pad: PadToken): number {
  try {
    return tokenizer.tokenId(pad.token);
  } catch {
    throw new Error(`the pad token ${JSON.stringify(pad.token)} (${pad.from}) is not in the tokenizer's vocabulary`);
  }
}

export async function loadOnnxImg2ImgPipeline(options: LoadOnnxPipelineOptions): Promise<Img2ImgPipeline> {
  const { ort, files } = options;
  await readJson(files, 'model_index.json', true);
  const schedulerConfig = await readJson(files, 'scheduler/scheduler_config.json', true);
  // optimum writes vae_encoder/ and vae_decoder/ configs; diffusers' own layout has vae/;
  // some public ONNX exports have none (then the SD VAE defaults, stated in the info).
  const vaeConfig = await readFirstJson(files, ['vae_decoder/config.json', 'vae_encoder/config.json', 'vae/config.json']);
  const unetConfig = await readJson(files, 'unet/config.json', false);
  const tokenizer = await loadClipTokenizer(files);
  const configuredPad = await configuredPadToken(files);
  const textEncoderConfig = configuredPad ? undefined : await readJson(files, 'text_encoder/config.json', false);
  const config = pipelineConfigFromDiffusers(vaeConfig ?? SD_VAE_DEFAULTS, unetConfig);
  const assumptions: string[] = [];
  if (!vaeConfig) assumptions.push('no VAE config.json (vae_decoder/, vae_encoder/ or vae/): assumed the SD-1.x/2.x VAE (scale factor 8, scaling factor 0.18215, 4 latent channels)');
  if (!unetConfig) assumptions.push(`no unet/config.json: assumed a ${config.defaultWidth}×${config.defaultHeight} default resolution`);

  const sessions: OrtSession[] = [];
  const session = async (name: OnnxComponentName) => {
    const s = await options.createSession(name);
    sessions.push(s);
    return s;
  };
  try {
    const textEncoder = new OnnxTextEncoder(ort, await session('text_encoder'));
    const pad = configuredPad ?? assumedPadToken(textEncoder.width ?? numberOr(textEncoderConfig?.hidden_size));
    config.padTokenId = padTokenId(tokenizer, pad);
    if (pad.assumed) assumptions.push(pad.from);
    if (assumptions.length) config.assumptions = assumptions;
    return new Img2ImgPipeline({
      tokenizer,
      textEncoder,
      vaeEncoder: new OnnxVaeEncoder(ort, await session('vae_encoder'), config.latentChannels),
      vaeDecoder: new OnnxVaeDecoder(ort, await session('vae_decoder')),
      denoiser: new OnnxUnetDenoiser(ort, await session('unet'), { ...options.unet, timeCondProjDim: numberOr(unetConfig?.time_cond_proj_dim) }),
      scheduler: schedulerFromDiffusersConfig(schedulerConfig!, options.scheduler),
      config,
    });
  } catch (e) {
    await Promise.all(sessions.map((s) => s.release()));
    throw e;
  }
}
