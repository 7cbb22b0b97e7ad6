// Inception-V3 as keras.applications builds it (Keras 2.2.4 `inception_v3.py`), in tfjs layers.
//
// Layer names follow Keras's automatic naming in creation order (`conv2d_1`,
// `batch_normalization_1`, `activation_1`, `max_pooling2d_1`, `average_pooling2d_1`,
// `concatenate_1`) plus the explicit `mixed0..mixed10`, `mixed9_0`, `mixed9_1`, so Keras
// weights (h5, tfjs Layers conversions such as nsfwjs's) load by name. The topology was checked
// layer by layer against the nsfwjs model.json, which is a real Keras 2.2.4 InceptionV3
// (test/unit/classifier/inception-v3.test.ts).
//
// `variant: 'torchvision'` reproduces torchvision's `Inception3` with the same layer names:
//  1. batch norm has a learned scale (gamma): BatchNorm2d(affine=True) vs Keras `scale=False`;
//  2. the branch average pools (A/C/E blocks) count the zero padding (`avg_pool2d(3, 1, 1)`,
//     count_include_pad=True), whereas Keras/TF 'same' average pooling divides by the number of
//     real pixels under the window. We pad explicitly with zeros and pool 'valid'.
// Everything else is identical: BN eps 1e-3 (torchvision sets 0.001), bias-free convs, 'valid'
// stride-2 convs and 3x3/2 max pools (floor mode), symmetric padding of the stride-1 'same'
// convs (torchvision pads (0,3)/(3,0)/(0,1)/(1,0) explicitly, which equals TF 'same' for odd
// kernels at stride 1), branch concat order, global average pooling, dropout, linear fc.
// torchvision's optional `transform_input` (ImageNet-normalised input → [-1,1]) and the
// AuxLogits branch (training only) are not part of the network here: feed [-1,1] input.
import * as tf from '@tensorflow/tfjs';

export type InceptionVariant = 'keras' | 'torchvision';

export const MIXED_BLOCKS = [
  'mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5',
  'mixed6', 'mixed7', 'mixed8', 'mixed9', 'mixed10',
] as const;
export type MixedBlock = (typeof MIXED_BLOCKS)[number];
export type InceptionBlock = 'stem' | MixedBlock | 'head';

/** Output layer of the backbone: global average pooling over mixed10, 2048-d. */
export const POOLED_FEATURES_LAYER = 'avg_pool';
export const POOLED_FEATURES_DIM = 2048;
export const DROPOUT_LAYER = 'dropout';
export const PREDICTIONS_LAYER = 'predictions';
/** keras.applications.InceptionV3(include_top=False).count_params(). */
export const KERAS_BACKBONE_PARAMS = 21_802_784;
export const DEFAULT_INPUT_SIZE = 299;
/** Keras refuses smaller inputs; below this mixed8 would output 0x0. */
export const MIN_INPUT_SIZE = 75;

/**
 * Task head on the pooled features. The study's task is binary (finding vs normal), so the
 * default is one sigmoid unit: binary cross-entropy, and the unit's output is directly the
 * positive-class score for ROC/threshold analysis. `softmax` with 2+ units and `linear`
 * (logits, e.g. to compare with torchvision's `fc`) are supported.
 */
export interface ClassifierHead {
  units: number;
  activation: 'sigmoid' | 'softmax' | 'linear';
  /** Dropout rate before the dense layer (torchvision uses 0.5; Keras applications none). */
  dropoutRate: number;
}
export const DEFAULT_HEAD: ClassifierHead = { units: 1, activation: 'sigmoid', dropoutRate: 0.5 };

export interface InceptionV3Options {
  /** Square input side in pixels, >= 75. Default 299. */
  inputSize?: number;
  variant?: InceptionVariant;
  /** null: backbone only, the model outputs the 2048-d pooled features. */
  head?: ClassifierHead | null;
}

/** One conv → BN → ReLU unit, with the torchvision/timm module path that holds its weights. */
export interface ConvUnit {
  block: 'stem' | MixedBlock;
  conv: string;
  batchNorm: string;
  activation: string;
  /** e.g. `Mixed_5b.branch5x5_1` (torchvision and timm share these names). */
  torchvision: string;
  filters: number;
  kernelSize: [number, number];
}

export interface InceptionV3 {
  model: tf.LayersModel;
  variant: InceptionVariant;
  inputSize: number;
  head: ClassifierHead | null;
  /** All conv units in creation (= Keras numbering) order. */
  units: ConvUnit[];
}

const TORCHVISION_BLOCKS: Record<MixedBlock, string> = {
  mixed0: 'Mixed_5b', mixed1: 'Mixed_5c', mixed2: 'Mixed_5d', mixed3: 'Mixed_6a',
  mixed4: 'Mixed_6b', mixed5: 'Mixed_6c', mixed6: 'Mixed_6d', mixed7: 'Mixed_6e',
  mixed8: 'Mixed_7a', mixed9: 'Mixed_7b', mixed10: 'Mixed_7c',
};

type Sym = tf.SymbolicTensor;

/** Builds the network; see the file comment for what each variant reproduces. */
export function buildInceptionV3(options: InceptionV3Options = {}): InceptionV3 {
  const inputSize = options.inputSize ?? DEFAULT_INPUT_SIZE;
  const variant = options.variant ?? 'keras';
  const head = options.head === undefined ? DEFAULT_HEAD : options.head;
  if (!Number.isInteger(inputSize) || inputSize < MIN_INPUT_SIZE) {
    throw new Error(`Inception-V3 input size must be an integer >= ${MIN_INPUT_SIZE}, got ${inputSize}`);
  }
  if (head && (!Number.isInteger(head.units) || head.units < 1)) throw new Error(`head units must be >= 1, got ${head.units}`);
  if (head && head.activation === 'softmax' && head.units < 2) throw new Error('a softmax head needs at least 2 units');

  const counters = new Map<string, number>();
  const next = (kind: string) => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${kind}_${n}`;
  };
  const units: ConvUnit[] = [];
  let block: 'stem' | MixedBlock = 'stem';
  let tvBlock = '';

  // Keras `conv2d_bn(x, filters, num_row, num_col, padding, strides)`.
  const convBn = (
    x: Sym,
    filters: number,
    rows: number,
    cols: number,
    torchvision: string,
    { padding = 'same', strides = 1 }: { padding?: 'same' | 'valid'; strides?: number } = {},
  ): Sym => {
    const conv = next('conv2d');
    const batchNorm = next('batch_normalization');
    const activation = next('activation');
    units.push({
      block, conv, batchNorm, activation, filters, kernelSize: [rows, cols],
      torchvision: tvBlock ? `${tvBlock}.${torchvision}` : torchvision,
    });
    let y = tf.layers
      .conv2d({ name: conv, filters, kernelSize: [rows, cols], strides, padding, useBias: false })
      .apply(x) as Sym;
    y = tf.layers
      .batchNormalization({ name: batchNorm, axis: 3, epsilon: 1e-3, momentum: 0.99, center: true, scale: variant === 'torchvision' })
      .apply(y) as Sym;
    return tf.layers.activation({ name: activation, activation: 'relu' }).apply(y) as Sym;
  };
  const maxPool = (x: Sym) =>
    tf.layers.maxPooling2d({ name: next('max_pooling2d'), poolSize: 3, strides: 2, padding: 'valid' }).apply(x) as Sym;
  // Branch pool of the A/C/E blocks; see variant note 2 in the file comment.
  const branchAvgPool = (x: Sym): Sym => {
    const name = next('average_pooling2d');
    if (variant === 'keras') {
      return tf.layers.averagePooling2d({ name, poolSize: 3, strides: 1, padding: 'same' }).apply(x) as Sym;
    }
    const padded = tf.layers.zeroPadding2d({ name: `${name}_pad`, padding: 1 }).apply(x) as Sym;
    return tf.layers.averagePooling2d({ name, poolSize: 3, strides: 1, padding: 'valid' }).apply(padded) as Sym;
  };
  const concat = (inputs: Sym[], name = next('concatenate')) =>
    tf.layers.concatenate({ name, axis: 3 }).apply(inputs) as Sym;
  const enter = (b: MixedBlock) => {
    block = b;
    tvBlock = TORCHVISION_BLOCKS[b];
  };

  const input = tf.input({ name: 'input_1', shape: [inputSize, inputSize, 3] });
  let x = convBn(input, 32, 3, 3, 'Conv2d_1a_3x3', { strides: 2, padding: 'valid' });
  x = convBn(x, 32, 3, 3, 'Conv2d_2a_3x3', { padding: 'valid' });
  x = convBn(x, 64, 3, 3, 'Conv2d_2b_3x3');
  x = maxPool(x);
  x = convBn(x, 80, 1, 1, 'Conv2d_3b_1x1', { padding: 'valid' });
  x = convBn(x, 192, 3, 3, 'Conv2d_4a_3x3', { padding: 'valid' });
  x = maxPool(x);

  // mixed0..2: 35x35 (InceptionA); pool branch 32 filters in mixed0, 64 after.
  for (const [b, poolFilters] of [['mixed0', 32], ['mixed1', 64], ['mixed2', 64]] as const) {
    enter(b);
    const b1x1 = convBn(x, 64, 1, 1, 'branch1x1');
    let b5x5 = convBn(x, 48, 1, 1, 'branch5x5_1');
    b5x5 = convBn(b5x5, 64, 5, 5, 'branch5x5_2');
    let dbl = convBn(x, 64, 1, 1, 'branch3x3dbl_1');
    dbl = convBn(dbl, 96, 3, 3, 'branch3x3dbl_2');
    dbl = convBn(dbl, 96, 3, 3, 'branch3x3dbl_3');
    const pool = convBn(branchAvgPool(x), poolFilters, 1, 1, 'branch_pool');
    x = concat([b1x1, b5x5, dbl, pool], b);
  }

  // mixed3: 35 → 17 (InceptionB).
  enter('mixed3');
  {
    const b3x3 = convBn(x, 384, 3, 3, 'branch3x3', { strides: 2, padding: 'valid' });
    let dbl = convBn(x, 64, 1, 1, 'branch3x3dbl_1');
    dbl = convBn(dbl, 96, 3, 3, 'branch3x3dbl_2');
    dbl = convBn(dbl, 96, 3, 3, 'branch3x3dbl_3', { strides: 2, padding: 'valid' });
    x = concat([b3x3, dbl, maxPool(x)], 'mixed3');
  }

  // mixed4..7: 17x17 (InceptionC) with 128, 160, 160, 192 channels in the 7x7 branches.
  for (const [b, c7] of [['mixed4', 128], ['mixed5', 160], ['mixed6', 160], ['mixed7', 192]] as const) {
    enter(b);
    const b1x1 = convBn(x, 192, 1, 1, 'branch1x1');
    let b7 = convBn(x, c7, 1, 1, 'branch7x7_1');
    b7 = convBn(b7, c7, 1, 7, 'branch7x7_2');
    b7 = convBn(b7, 192, 7, 1, 'branch7x7_3');
    let dbl = convBn(x, c7, 1, 1, 'branch7x7dbl_1');
    dbl = convBn(dbl, c7, 7, 1, 'branch7x7dbl_2');
    dbl = convBn(dbl, c7, 1, 7, 'branch7x7dbl_3');
    dbl = convBn(dbl, c7, 7, 1, 'branch7x7dbl_4');
    dbl = convBn(dbl, 192, 1, 7, 'branch7x7dbl_5');
    const pool = convBn(branchAvgPool(x), 192, 1, 1, 'branch_pool');
    x = concat([b1x1, b7, dbl, pool], b);
  }

  // mixed8: 17 → 8 (InceptionD).
  enter('mixed8');
  {
    let b3x3 = convBn(x, 192, 1, 1, 'branch3x3_1');
    b3x3 = convBn(b3x3, 320, 3, 3, 'branch3x3_2', { strides: 2, padding: 'valid' });
    let b7x3 = convBn(x, 192, 1, 1, 'branch7x7x3_1');
    b7x3 = convBn(b7x3, 192, 1, 7, 'branch7x7x3_2');
    b7x3 = convBn(b7x3, 192, 7, 1, 'branch7x7x3_3');
    b7x3 = convBn(b7x3, 192, 3, 3, 'branch7x7x3_4', { strides: 2, padding: 'valid' });
    x = concat([b3x3, b7x3, maxPool(x)], 'mixed8');
  }

  // mixed9, mixed10: 8x8 (InceptionE). Keras names the inner concats mixed9_<i> and
  // concatenate_<n>, with i = 0, 1 (so mixed10's is `mixed9_1`, as Keras writes it).
  for (const [i, b] of [[0, 'mixed9'], [1, 'mixed10']] as const) {
    enter(b);
    const b1x1 = convBn(x, 320, 1, 1, 'branch1x1');
    const b3x3 = convBn(x, 384, 1, 1, 'branch3x3_1');
    const b3x3a = convBn(b3x3, 384, 1, 3, 'branch3x3_2a');
    const b3x3b = convBn(b3x3, 384, 3, 1, 'branch3x3_2b');
    const b3x3cat = concat([b3x3a, b3x3b], `mixed9_${i}`);
    let dbl = convBn(x, 448, 1, 1, 'branch3x3dbl_1');
    dbl = convBn(dbl, 384, 3, 3, 'branch3x3dbl_2');
    const dbla = convBn(dbl, 384, 1, 3, 'branch3x3dbl_3a');
    const dblb = convBn(dbl, 384, 3, 1, 'branch3x3dbl_3b');
    const dblcat = concat([dbla, dblb]);
    const pool = convBn(branchAvgPool(x), 192, 1, 1, 'branch_pool');
    x = concat([b1x1, b3x3cat, dblcat, pool], b);
  }

  let output = tf.layers.globalAveragePooling2d({ name: POOLED_FEATURES_LAYER }).apply(x) as Sym;
  if (head) {
    output = tf.layers.dropout({ name: DROPOUT_LAYER, rate: head.dropoutRate }).apply(output) as Sym;
    output = tf.layers
      .dense({ name: PREDICTIONS_LAYER, units: head.units, activation: head.activation })
      .apply(output) as Sym;
  }
  const model = tf.model({ name: `inception_v3_${variant}`, inputs: input, outputs: output });
  return { model, variant, inputSize, head, units };
}

/** A model sharing `model`'s layers that outputs the pooled 2048-d features. */
export function pooledFeaturesModel(model: tf.LayersModel): tf.LayersModel {
  const pooled = model.getLayer(POOLED_FEATURES_LAYER).output as Sym;
  return tf.model({ inputs: model.inputs, outputs: pooled });
}

/** A model sharing `model`'s layers that outputs [pooled features, head output]. */
export function featuresAndPredictionsModel(model: tf.LayersModel): tf.LayersModel {
  const pooled = model.getLayer(POOLED_FEATURES_LAYER).output as Sym;
  return tf.model({ inputs: model.inputs, outputs: [pooled, model.outputs[0]] });
}

/**
 * Block of every layer, read from the graph (not from the builder), so it also works for a
 * model re-loaded with `tf.loadLayersModel`: a layer belongs to the first of stem (everything
 * feeding `max_pooling2d_2`), mixed0, …, mixed10 whose output depends on it; the rest is head.
 */
export function layerBlocks(model: tf.LayersModel): Map<string, InceptionBlock> {
  const blocks = new Map<string, InceptionBlock>();
  const claim = (layerName: string, b: InceptionBlock) => {
    const stack = [model.getLayer(layerName)];
    while (stack.length) {
      const layer = stack.pop()!;
      if (blocks.has(layer.name)) continue;
      blocks.set(layer.name, b);
      for (const node of layer.inboundNodes) stack.push(...node.inboundLayers);
    }
  };
  claim('max_pooling2d_2', 'stem');
  for (const b of MIXED_BLOCKS) claim(b, b);
  for (const layer of model.layers) if (!blocks.has(layer.name)) blocks.set(layer.name, 'head');
  return blocks;
}

/**
 * Trainable depth for fine-tuning: 'head' trains only the layers after mixed10 (pooling,
 * dropout, dense); a mixed block name trains that block, all later blocks and the head (e.g.
 * 'mixed5'; nsfwjs froze everything up to mixed5 plus mixed6's first conv unit, i.e. ~'mixed6');
 * 'all' trains everything. The model must be (re)compiled afterwards for tfjs to pick it up.
 * Note for training: tfjs's BatchNormalization still uses batch statistics when called with
 * training=true even if the layer is frozen (unlike TF2 Keras), so frozen BN must be run with
 * training=false by the training loop.
 */
export function setTrainableDepth(model: tf.LayersModel, from: 'head' | 'all' | MixedBlock): void {
  const order: InceptionBlock[] = ['stem', ...MIXED_BLOCKS, 'head'];
  const first = from === 'all' ? 0 : order.indexOf(from);
  if (first < 0) throw new Error(`unknown trainable depth ${String(from)}`);
  const blocks = layerBlocks(model);
  for (const layer of model.layers) layer.trainable = order.indexOf(blocks.get(layer.name)!) >= first;
}
