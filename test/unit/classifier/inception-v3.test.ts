// Architecture: parameter counts, layer names and topology against the nsfwjs model.json (a
// real Keras 2.2.4 InceptionV3), input sizes, block membership and trainable depth.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  KERAS_BACKBONE_PARAMS,
  MIXED_BLOCKS,
  buildInceptionV3,
  layerBlocks,
  setTrainableDepth,
} from '../../../src/ml/classifier/inception-v3';
import { nsfwjsModelJson, type KerasLayerJson } from './nsfwjs-assets';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const countTrainable = (m: tf.LayersModel) => m.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1), 0);

describe('Inception-V3 architecture', () => {
  test('Keras backbone has exactly 21,802,784 parameters; head adds 2048·units + units', () => {
    const backbone = buildInceptionV3({ head: null });
    expect(backbone.model.countParams()).toBe(KERAS_BACKBONE_PARAMS);
    expect(backbone.model.outputs[0].shape).toEqual([null, 2048]);
    const withHead = buildInceptionV3();
    expect(withHead.model.countParams()).toBe(KERAS_BACKBONE_PARAMS + 2048 + 1);
    expect(withHead.model.outputs[0].shape).toEqual([null, 1]);
    expect(backbone.units).toHaveLength(94);
  });

  test('torchvision variant: trainable parameters equal torchvision Inception3(num_classes=2) = 21,789,666', () => {
    const tv = buildInceptionV3({ variant: 'torchvision', head: { units: 2, activation: 'linear', dropoutRate: 0.5 } });
    expect(countTrainable(tv.model)).toBe(21_789_666);
    // + gamma per BN channel (17,216 channels) over the Keras count, + the fc.
    expect(tv.model.countParams()).toBe(KERAS_BACKBONE_PARAMS + 17_216 + 2 * 2048 + 2);
  });

  test('every layer of the nsfwjs Keras InceptionV3 up to mixed10 exists with the same class, config and inputs', () => {
    const ours = buildInceptionV3({ head: null }).model;
    const keras = nsfwjsModelJson().modelTopology.model_config.config.layers;
    const upTo = keras.findIndex((l) => l.name === 'mixed10');
    const backboneLayers = keras.slice(0, upTo + 1);
    expect(backboneLayers).toHaveLength(311);
    const ourNames = ours.layers.map((l) => l.name);
    // Same set of layers: ours = Keras's up to mixed10 + our global pooling.
    expect(new Set(ourNames)).toEqual(new Set([...backboneLayers.map((l) => l.name), 'avg_pool']));
    const mismatches: string[] = [];
    const check = (k: KerasLayerJson, field: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${k.name}.${field}: keras ${JSON.stringify(a)} ours ${JSON.stringify(b)}`);
    };
    for (const k of backboneLayers) {
      const layer = ours.getLayer(k.name);
      check(k, 'class', k.class_name, layer.getClassName());
      const c = layer.getConfig() as Record<string, unknown>;
      const kc = k.config;
      switch (k.class_name) {
        case 'Conv2D':
          for (const f of ['filters', 'kernel_size', 'strides', 'padding', 'use_bias']) {
            const ours = { filters: c.filters, kernel_size: c.kernelSize, strides: c.strides, padding: c.padding, use_bias: c.useBias }[f];
            check(k, f, kc[f], ours);
          }
          break;
        case 'BatchNormalization':
          check(k, 'epsilon', kc.epsilon, c.epsilon);
          check(k, 'scale', kc.scale, c.scale);
          check(k, 'center', kc.center, c.center);
          check(k, 'axis', kc.axis, c.axis);
          break;
        case 'MaxPooling2D':
        case 'AveragePooling2D':
          check(k, 'pool_size', kc.pool_size, c.poolSize);
          check(k, 'strides', kc.strides, c.strides);
          check(k, 'padding', kc.padding, c.padding);
          break;
        case 'Activation':
          check(k, 'activation', kc.activation, c.activation);
          break;
        case 'Concatenate':
          check(k, 'axis', kc.axis, c.axis);
          break;
      }
      const kerasInputs = (k.inbound_nodes[0] ?? []).map((n) => n[0]);
      const ourInputs = layer.inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [];
      check(k, 'inputs', kerasInputs, k.class_name === 'InputLayer' ? [] : ourInputs);
    }
    expect(mismatches).toEqual([]);
  });

  test('layers nsfwjs kept frozen (Keras ImageNet weights) are our stem..mixed5 plus the first unit of mixed6', () => {
    const ours = buildInceptionV3({ head: null }).model;
    const blocks = layerBlocks(ours);
    const keras = nsfwjsModelJson().modelTopology.model_config.config.layers;
    const frozen = keras.filter((l) => l.config.trainable === false).map((l) => l.name);
    const ourEarly = ours.layers
      .filter((l) => ['stem', 'mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5'].includes(blocks.get(l.name)!))
      .map((l) => l.name);
    // nsfwjs froze Keras's first 168 layers by index, which cuts into mixed6 after its first conv unit.
    const firstMixed6Unit = ['conv2d_55', 'batch_normalization_55', 'activation_55'];
    expect(blocks.get('conv2d_55')).toBe('mixed6');
    expect(new Set(frozen)).toEqual(new Set([...ourEarly.filter((n) => n !== 'input_1'), ...firstMixed6Unit]));
    expect(blocks.get('mixed9_1')).toBe('mixed10');
    expect(blocks.get('concatenate_1')).toBe('mixed9');
    expect(blocks.get('conv2d_5')).toBe('stem');
    expect(blocks.get('avg_pool')).toBe('head');
  });

  test('input size is configurable (>= 75) and the parameter count does not depend on it', () => {
    const small = buildInceptionV3({ inputSize: 75, head: null });
    expect(small.model.countParams()).toBe(KERAS_BACKBONE_PARAMS);
    expect(small.model.getLayer('mixed10').output).toHaveProperty('shape', [null, 1, 1, 2048]);
    const mid = buildInceptionV3({ inputSize: 139, head: null });
    expect(mid.model.getLayer('mixed10').output).toHaveProperty('shape', [null, 3, 3, 2048]);
    expect(buildInceptionV3({ head: null }).model.getLayer('mixed10').output).toHaveProperty('shape', [null, 8, 8, 2048]);
    expect(() => buildInceptionV3({ inputSize: 74 })).toThrow(/>= 75/);
    expect(() => buildInceptionV3({ head: { units: 1, activation: 'softmax', dropoutRate: 0 } })).toThrow(/softmax/);
    const out = small.model.predict(tf.zeros([1, 75, 75, 3])) as tf.Tensor;
    expect(out.shape).toEqual([1, 2048]);
    out.dispose();
  });

  test('torchvision variant keeps the Keras names and adds zero padding before the branch pools', () => {
    const tv = buildInceptionV3({ variant: 'torchvision', inputSize: 75, head: null }).model;
    const keras = buildInceptionV3({ inputSize: 75, head: null }).model;
    const extra = tv.layers.map((l) => l.name).filter((n) => !keras.layers.some((k) => k.name === n));
    expect(new Set(extra)).toEqual(new Set(Array.from({ length: 9 }, (_, i) => `average_pooling2d_${i + 1}_pad`)));
    expect((tv.getLayer('batch_normalization_1').getConfig() as { scale: boolean }).scale).toBe(true);
  });

  test('trainable depth by block name', () => {
    const { model } = buildInceptionV3({ inputSize: 75 });
    const trainableLayers = () => model.layers.filter((l) => l.trainable && l.weights.length).map((l) => l.name);
    setTrainableDepth(model, 'head');
    expect(trainableLayers()).toEqual(['predictions']);
    setTrainableDepth(model, 'mixed5');
    const t = trainableLayers();
    expect(t).toContain('conv2d_41'); // first conv of mixed5
    expect(t).not.toContain('conv2d_40'); // last conv of mixed4
    expect(t).toContain('predictions');
    setTrainableDepth(model, 'all');
    expect(countTrainable(model)).toBe(model.countParams() - 2 * 17_216); // all but BN moving stats
    expect(MIXED_BLOCKS).toHaveLength(11);
  });
});
