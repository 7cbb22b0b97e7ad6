// Weights sources as data (no tfjs here, so the UI can import it without pulling tfjs into
// the page bundle).

export const KERAS_H5_FILE = 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5';
export const TIMM_FILE = 'model.safetensors';

/** Serialisable description of a weights source (goes into job params and run records). */
export type WeightsSource =
  /** the nsfwjs Keras InceptionV3 derived at build time and served from our origin */
  | { kind: 'nsfwjs' }
  /** the Keras applications notop .h5 from the model store */
  | { kind: 'keras-h5'; modelId: string }
  /** timm `inception_v3.tv_in1k` model.safetensors from the model store */
  | { kind: 'timm-safetensors'; modelId: string }
  /** a tfjs Layers model (model.json + shards) the user picked from disk, e.g. an exported fine-tuned model */
  | { kind: 'tfjs-files'; files: File[] }
  /** the same Keras .h5 or timm safetensors, picked from disk (air-gapped machines) */
  | { kind: 'keras-h5-file'; file: File }
  | { kind: 'timm-safetensors-file'; file: File };

export const NSFWJS_DESCRIPTION =
  'Keras InceptionV3 from the nsfwjs npm package (MIT), converted at build time and served by this app (no download). ' +
  'Layers up to mixed5 (plus the first conv unit of mixed6) keep the frozen Keras ImageNet weights; the later blocks ' +
  'were fine-tuned by the nsfwjs authors on general web images (not medical), and weights are uint8-quantized. ' +
  'A real pretrained network that works offline, but not identical to the ImageNet weights the study used.';

export function describeSource(s: WeightsSource): string {
  switch (s.kind) {
    case 'nsfwjs':
      return 'nsfwjs Keras InceptionV3 (offline default)';
    case 'keras-h5':
      return `Keras applications ImageNet weights (${KERAS_H5_FILE}, model store "${s.modelId}")`;
    case 'timm-safetensors':
      return `torchvision ImageNet weights via timm (${TIMM_FILE}, model store "${s.modelId}")`;
    case 'tfjs-files':
      return `tfjs Layers model from local files (${s.files.map((f) => f.name).join(', ')})`;
    case 'keras-h5-file':
      return `Keras .h5 weights from a local file (${s.file.name})`;
    case 'timm-safetensors-file':
      return `torchvision/timm safetensors from a local file (${s.file.name})`;
  }
}

