// Fine-tuning settings and the pure pieces of the training loop (learning-rate schedules,
// class weights, early stopping, backend policy). No tfjs here: unit-tested in Node.
import type { TfjsBackendName } from '../../../core/backends';

/**
 * How deep gradients reach. 'head': only the dense head on the 2048-d pooled features (the
 * backbone runs once per image and its features are cached). 'mixed5': mixed5…mixed10 + head
 * (nsfwjs kept Keras's ImageNet weights up to mixed5; this is the classic "top blocks"
 * fine-tune). 'all': every layer.
 */
export type TrainableDepth = 'head' | 'mixed5' | 'all';
export type OptimizerName = 'sgd' | 'adam';

export type LrSchedule =
  | { kind: 'constant' }
  /** lr × gamma^floor(epoch / everyEpochs) (Keras StepDecay / torch StepLR) */
  | { kind: 'step'; everyEpochs: number; gamma: number }
  /** cosine annealing from lr to minLr over `epochs` (SGDR without restarts, per epoch) */
  | { kind: 'cosine'; minLr: number };

export interface AugmentationConfig {
  /** max |rotation| in degrees (uniform in ±) */
  rotationDeg: number;
  /** max |shift| as a fraction of the side */
  shift: number;
  /** max |zoom − 1| */
  zoom: number;
  /** max |brightness offset| as a fraction of full scale */
  brightness: number;
  /** max |contrast − 1| */
  contrast: number;
}

/**
 * CXR-appropriate defaults: small geometric changes only. No flips at all — vertical flips
 * make anatomically impossible images, and horizontal flips move the heart to the right
 * (situs inversus), which is also a label-irrelevant artefact we do not want the net to see.
 */
export const DEFAULT_AUGMENTATION: AugmentationConfig = { rotationDeg: 5, shift: 0.05, zoom: 0.1, brightness: 0.1, contrast: 0.1 };

export interface TrainConfig {
  inputSize: number;
  trainableDepth: TrainableDepth;
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD only */
  momentum: number;
  schedule: LrSchedule;
  batchSize: number;
  epochs: number;
  /** null: train all epochs and keep the last weights */
  earlyStopping: { patience: number; minDelta: number } | null;
  /** sklearn 'balanced' class weights in the training loss; the study's baseline is unweighted */
  classWeighted: boolean;
  /** null: no augmentation. Ignored in head-only mode (features are cached un-augmented). */
  augmentation: AugmentationConfig | null;
  dropoutRate: number;
  seed: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  inputSize: 299,
  trainableDepth: 'head',
  optimizer: 'adam',
  learningRate: 1e-3,
  momentum: 0.9,
  schedule: { kind: 'constant' },
  batchSize: 16,
  epochs: 30,
  earlyStopping: { patience: 5, minDelta: 1e-4 },
  classWeighted: false,
  augmentation: DEFAULT_AUGMENTATION,
  dropoutRate: 0.5,
  seed: 42,
};

/** Problems with a config, in words; empty when it is usable. */
export function configProblems(c: TrainConfig): string[] {
  const p: string[] = [];
  if (!Number.isInteger(c.inputSize) || c.inputSize < 75) p.push(`input size must be an integer >= 75 (Inception-V3's minimum), got ${c.inputSize}`);
  if (!(c.learningRate > 0)) p.push(`learning rate must be > 0, got ${c.learningRate}`);
  if (c.optimizer === 'sgd' && !(c.momentum >= 0 && c.momentum < 1)) p.push(`momentum must be in [0, 1), got ${c.momentum}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) p.push(`batch size must be a positive integer, got ${c.batchSize}`);
  if (!Number.isInteger(c.epochs) || c.epochs < 1) p.push(`epochs must be a positive integer, got ${c.epochs}`);
  if (!(c.dropoutRate >= 0 && c.dropoutRate < 1)) p.push(`dropout must be in [0, 1), got ${c.dropoutRate}`);
  if (c.schedule.kind === 'step' && !(Number.isInteger(c.schedule.everyEpochs) && c.schedule.everyEpochs >= 1 && c.schedule.gamma > 0)) {
    p.push('step schedule needs everyEpochs >= 1 and gamma > 0');
  }
  if (c.schedule.kind === 'cosine' && !(c.schedule.minLr >= 0 && c.schedule.minLr <= c.learningRate)) p.push('cosine schedule needs 0 <= minLr <= learning rate');
  if (c.earlyStopping && !(Number.isInteger(c.earlyStopping.patience) && c.earlyStopping.patience >= 1)) p.push('early-stopping patience must be an integer >= 1');
  if (!Number.isInteger(c.seed)) p.push(`seed must be an integer, got ${c.seed}`);
  return p;
}

/** Learning rate for a 0-based epoch. */
export function learningRateAt(c: Pick<TrainConfig, 'learningRate' | 'schedule' | 'epochs'>, epoch: number): number {
  const s = c.schedule;
  if (s.kind === 'constant') return c.learningRate;
  if (s.kind === 'step') return c.learningRate * s.gamma ** Math.floor(epoch / s.everyEpochs);
  const T = Math.max(1, c.epochs - 1);
  return s.minLr + 0.5 * (c.learningRate - s.minLr) * (1 + Math.cos((Math.PI * Math.min(epoch, T)) / T));
}

/**
 * sklearn `compute_class_weight('balanced')`: n / (2 · n_c), so both classes contribute
 * equally to the loss. Unweighted: both 1.
 */
export function classWeights(labels: ArrayLike<number>, weighted: boolean): { negative: number; positive: number } {
  if (!weighted) return { negative: 1, positive: 1 };
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i] === 1 ? 1 : 0;
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) throw new Error('class-weighted loss needs both classes in the training set');
  return { negative: labels.length / (2 * neg), positive: labels.length / (2 * pos) };
}

/** Keras EarlyStopping(monitor='val_loss', restore_best_weights=True) as a serialisable state. */
export interface EarlyStoppingState {
  bestLoss: number | null;
  bestEpoch: number | null;
  /** epochs since the last improvement */
  wait: number;
}

export const initialEarlyStopping = (): EarlyStoppingState => ({ bestLoss: null, bestEpoch: null, wait: 0 });

export function updateEarlyStopping(
  state: EarlyStoppingState,
  epoch: number,
  valLoss: number,
  rule: TrainConfig['earlyStopping'],
): { state: EarlyStoppingState; improved: boolean; stop: boolean } {
  const minDelta = rule?.minDelta ?? 0;
  const improved = Number.isFinite(valLoss) && (state.bestLoss === null || valLoss < state.bestLoss - minDelta);
  const next: EarlyStoppingState = improved ? { bestLoss: valLoss, bestEpoch: epoch, wait: 0 } : { ...state, wait: state.wait + 1 };
  return { state: next, improved, stop: rule !== null && next.wait >= rule.patience };
}

/**
 * Backends to try for a job. tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so a job
 * that trains convolutions must skip it (cpu is correct but slow); head-only training and
 * inference only need dense/conv forward kernels, which wasm runs well.
 */
export function classifierBackendOrder(
  order: readonly TfjsBackendName[],
  trainsConvolutions: boolean,
): { order: TfjsBackendName[]; notes: string[] } {
  if (!trainsConvolutions || !order.includes('wasm')) return { order: [...order], notes: [] };
  const filtered = order.filter((b) => b !== 'wasm');
  if (!filtered.includes('cpu')) filtered.push('cpu');
  return {
    order: filtered,
    notes: ['wasm skipped: tfjs-backend-wasm cannot train convolutions (no Conv2DBackpropFilter kernel); training convolutional layers uses ' + filtered.join(' → ')],
  };
}
