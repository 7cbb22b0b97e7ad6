// Browser runtime of the diffusion pipeline: model files (URL / OPFS), session creation
// per component with provider fallback and fp16/external-data checks, generation with
// timings. Used by workers/diffusion.worker.ts; imports ORT, so workers only.
export { loadDiffusionPipeline, modelFilesFor } from './diffusion-runtime';
export type { LoadPipelineOptions, LoadedPipeline, ModelSource, PipelineInfo } from './diffusion-runtime';
export { createComponentSession, Float16UnsupportedError } from './component-session';
export type { ComponentInfo, ProviderAttempt } from './component-session';
export { urlModelFiles, opfsModelFiles, ModelFileError } from './model-files';
export type { ModelFiles } from './model-files';
export { readOnnxModelInfo, OnnxFormatError } from './onnx-model-info';
export type { OnnxModelInfo, OnnxValueInfo } from './onnx-model-info';
export { generateImage } from './generate';
export type { GenerateParams, GenerateResult, GenerateTimings, GenerateHooks } from './generate';
