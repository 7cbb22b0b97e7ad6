// Loads a diffusers-ONNX img2img pipeline for the browser: picks execution providers
// (WebGPU EP → wasm), creates one session per component, keeps UNet tensors on the GPU
// where ORT allows, and describes what it loaded (PipelineInfo) for the UI and the
// provenance of generated images.
import { chooseRunOrtProviders, hasShaderF16, type BackendPreference, type GpuAdapterInfo, type OrtProviderName } from '../../../core/backends';
import { configureOrt } from '../../backend/ort-setup';
import type { DeviceLostListener } from '../../backend/tfjs-setup';
import { detectWebGpu } from '../../backend/webgpu-info';
import { loadOnnxImg2ImgPipeline, readFirstJson, type OnnxComponentName } from '../onnx/load-onnx-pipeline';
import { OnnxUnetDenoiser } from '../onnx/onnx-unet-denoiser';
import type { Img2ImgPipeline } from '../pipeline/img2img';
import { fitSubstituteVae, type VaeImageRange } from '../pipeline/vae-substitute';
import type { SchedulerKind } from '../schedulers';
import { createComponentSession, WASM_WEIGHT_LIMIT_BYTES, type ComponentInfo } from './component-session';
import { deviceLoops, type DeviceLoops } from './device-denoise-loop';
import { ortWebGpuDevice, webGpuUploader } from './device-tensors';
import { opfsModelFiles, urlModelFiles, type ModelFiles } from './model-files';

export type ModelSource =
  /** A pipeline folder served over HTTP(S) from our origin; `files` overrides single paths. */
  | { kind: 'url'; baseUrl: string; files?: Record<string, string> }
  /** OPFS models/<modelId>/, as the model manager stores it (check its record is ready first). */
  | { kind: 'opfs'; modelId: string };

export interface LoadPipelineOptions {
  /**
   * 'auto' = core/backends policy (WebGPU EP on a hardware adapter, wasm on a software one or
   * without an adapter, falling back); a named provider is used alone, and WebGPU without an
   * adapter throws ProviderUnavailableError before any session is created (chooseRunOrtProviders).
   */
  provider?: BackendPreference<OrtProviderName>;
  /** Scheduler class for the model's scheduler config; default: the config's own class. */
  scheduler?: SchedulerKind;
  /**
   * On the WebGPU EP: keep the denoising loop on the GPU (default true). The UNet output
   * stays in a GPU buffer, guidance and the scheduler step run there as a small ONNX graph
   * (runtime/device-denoise-loop.ts), and the text embeddings are uploaded once. false reads
   * the UNet output back every step and steps on the CPU. bench:diffusion compares both.
   */
  keepOnGpu?: boolean;
  /**
   * A VAE to use instead of the pipeline's own: a folder with vae_encoder/ and vae_decoder/
   * (TAESD, a fine-tuned SD VAE). Its conventions are read and measured at load
   * (pipeline/vae-substitute.ts); one that does not fit the pipeline is refused.
   */
  vae?: ModelSource;
  /** Weight bytes the wasm EP may take for the whole pipeline (default WASM_WEIGHT_LIMIT_BYTES; tests lower it). */
  wasmWeightLimitBytes?: number;
}

export interface PipelineInfo {
  source: string;
  width: number;
  height: number;
  /** image sides must be multiples of this */
  sizeMultiple: number;
  vaeScaleFactor: number;
  latentChannels: number;
  scalingFactor: number;
  scheduler: SchedulerKind;
  /** the substitute VAE, when one was given: where from and the conventions found */
  vae?: { source: string; imageRange: VaeImageRange; scalingFactor: number };
  /** distinct providers the components run on */
  providers: OrtProviderName[];
  components: Record<OnnxComponentName, ComponentInfo>;
  /** width of the guidance embedding of a guidance-distilled (LCM) UNet; absent for CFG-guided UNets */
  guidanceEmbeddingDim?: number;
  /** the denoising loop runs on the GPU (WebGPU EP only) */
  keepOnGpu: boolean;
  gpu: { available: boolean; shaderF16: boolean; adapter: string };
  /** why a better provider was not used, CPU-fallback operators, … */
  notes: string[];
}

export interface LoadedPipeline {
  pipeline: Img2ImgPipeline;
  info: PipelineInfo;
  dispose(): Promise<void>;
}

export function modelFilesFor(source: ModelSource): ModelFiles {
  return source.kind === 'url' ? urlModelFiles(source.baseUrl, source.files) : opfsModelFiles(source.modelId);
}

const COMPONENT_ORDER: OnnxComponentName[] = ['text_encoder', 'vae_encoder', 'vae_decoder', 'unet'];

export async function loadDiffusionPipeline(
  source: ModelSource,
  options: LoadPipelineOptions = {},
  deps: { gpu?: GpuAdapterInfo; onDeviceLost?: DeviceLostListener } = {},
): Promise<LoadedPipeline> {
  const ort = configureOrt();
  const gpu = deps.gpu ?? (await detectWebGpu());
  const choice = chooseRunOrtProviders(gpu, options.provider ?? 'auto');
  const shaderF16 = hasShaderF16(gpu);
  const files = modelFilesFor(source);
  const vaeFiles = options.vae ? modelFilesFor(options.vae) : undefined;
  const keepOnGpuWanted = options.keepOnGpu ?? true;
  const components: Partial<Record<OnnxComponentName, ComponentInfo>> = {};
  const wasmHeap = { usedBytes: 0, limitBytes: options.wasmWeightLimitBytes ?? WASM_WEIGHT_LIMIT_BYTES };

  // The UNet session is created last (loadOnnxImg2ImgPipeline's order); the uploader
  // exists only when it landed on the WebGPU EP, otherwise embeddings stay on the host.
  let uploader: ReturnType<typeof webGpuUploader> | undefined;
  let loops: DeviceLoops | undefined;
  const loaded = await loadOnnxImg2ImgPipeline({
    ort,
    files,
    scheduler: options.scheduler,
    unet: {
      toDevice: (t) => uploader?.(t),
      deviceLoop: { create: (unet) => loops?.create(unet), dispose: async () => loops?.dispose() },
    },
    createSession: async (component) => {
      const { session, info } = await createComponentSession({
        files: vaeFiles && (component === 'vae_encoder' || component === 'vae_decoder') ? vaeFiles : files,
        component,
        providers: choice.order,
        shaderF16,
        gpuOutputs: component === 'unet' && keepOnGpuWanted ? 'all' : undefined,
        onDeviceLost: deps.onDeviceLost,
        wasmHeap,
      });
      components[component] = info;
      if (component === 'unet' && info.provider === 'webgpu' && keepOnGpuWanted) {
        const device = await ortWebGpuDevice(ort);
        if (device) {
          uploader = webGpuUploader(ort, device);
          loops = deviceLoops(ort, { provider: 'webgpu', upload: uploader, queued: () => device.queue.onSubmittedWorkDone() });
        }
      }
      return session;
    },
  });

  const notes = [...choice.notes];
  let pipeline = loaded;
  let vae: PipelineInfo['vae'];
  if (vaeFiles) {
    try {
      const vaeConfig = await readFirstJson(vaeFiles, ['vae_decoder/config.json', 'vae_encoder/config.json', 'config.json']);
      const substituted = await fitSubstituteVae(loaded, vaeConfig, vaeFiles.label);
      pipeline = substituted.pipeline;
      vae = substituted.vae;
      notes.push(...substituted.notes);
    } catch (e) {
      await loaded.dispose();
      throw e;
    }
  }
  const { denoiser } = pipeline.components;
  if (loops && !pipeline.components.scheduler.plansSteps) {
    await loops.dispose();
    loops = undefined;
    notes.push(`the denoising loop steps on the CPU: the ${pipeline.components.scheduler.kind} scheduler's step mixes past model outputs that the GPU step graph does not hold`);
  }
  if (loops && denoiser instanceof OnnxUnetDenoiser) {
    const problem = await loops.prepare(denoiser);
    if (problem) {
      await loops.dispose();
      loops = undefined;
      notes.push(`the denoising loop steps on the CPU: its GPU step graph is unavailable (${problem})`);
    }
  }
  const keepOnGpu = loops !== undefined;
  for (const name of COMPONENT_ORDER) {
    const c = components[name]!;
    for (const a of c.attempts) if (!a.ok) notes.push(`${name}: ${a.provider} failed (${a.reason})`);
    if (c.cpuFallbackOps.length) notes.push(`${name}: ${c.cpuFallbackOps.join(', ')} run on the CPU under the WebGPU EP (no WebGPU kernels); prefer QDQ or MatMulNBits quantization`);
  }
  const { config, scheduler } = pipeline.components;
  notes.push(...(config.assumptions ?? []));
  if (denoiser.guidanceEmbeddingDim !== undefined) {
    notes.push(
      `guidance-distilled UNet (LCM, timestep_cond of width ${denoiser.guidanceEmbeddingDim}): the guidance scale goes into the UNet, no classifier-free guidance runs and the negative prompt is not used; ` +
        `it is made for the LCM scheduler and few steps${scheduler.kind === 'lcm' ? '' : ` (this pipeline's scheduler is ${scheduler.kind})`}`,
    );
  }
  const info: PipelineInfo = {
    source: files.label,
    width: config.defaultWidth,
    height: config.defaultHeight,
    sizeMultiple: config.sizeMultiple,
    vaeScaleFactor: config.vaeScaleFactor,
    latentChannels: config.latentChannels,
    scalingFactor: config.scalingFactor,
    scheduler: scheduler.kind,
    providers: [...new Set(COMPONENT_ORDER.map((n) => components[n]!.provider))],
    components: components as Record<OnnxComponentName, ComponentInfo>,
    keepOnGpu,
    guidanceEmbeddingDim: denoiser.guidanceEmbeddingDim,
    vae,
    gpu: {
      available: gpu.available,
      shaderF16,
      adapter: gpu.available ? [gpu.vendor, gpu.architecture, gpu.description].filter(Boolean).join(' / ') : (gpu.reason ?? 'none'),
    },
    notes,
  };
  return { pipeline, info, dispose: () => pipeline.dispose() };
}
