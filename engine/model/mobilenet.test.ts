// The embedded MobileNetV2 (nsfwjs): our executor (BN folded into depthwise and pointwise convs, ReLU6
// fused) against tfjs-layers' forward pass and tfjs autodiff of the same graph, plus what it offers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfjs from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { loadDreamModel } from './load.ts';
import { loadEmbedded } from './files/source.ts';
import { classObjective, ClassObjectiveError } from './classes.ts';
import type { LayersDreamModel } from './layersModel.ts';
import type { DreamModel } from '../shared/model.ts';
import { relL2 } from '../../tests/helpers/numeric.ts';
import { gradientErrorVsAutodiff } from '../../tests/helpers/autodiffCheck.ts';

let model: DreamModel;
beforeAll(async () => {
  await initBackend('wasm');
  model = await loadDreamModel('mobilenet_v2');
});

describe('embedded MobileNetV2', () => {
  it('matches tfjs-layers forward activations (depthwise, ReLU6, Add, ZeroPadding2D)', async () => {
    const files = loadEmbedded('mobilenet_v2');
    const ref = await tfjs.loadLayersModel(tfjs.io.fromMemory({ modelTopology: files.modelTopology as object, weightSpecs: files.weightSpecs, weightData: files.weightData }));
    const names = ['Conv1_relu', 'block_2_add', 'block_6_expand_relu', 'block_13_depthwise_relu', 'out_relu'];
    const trunk = tfjs.model({ inputs: ref.inputs, outputs: names.map((n) => ref.getLayer(n).output as tfjs.SymbolicTensor) });
    const x = tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const expected = trunk.predict(x) as tf.Tensor[];
    const ours = model.activations(x, names);
    names.forEach((name, i) => {
      expect(ours[name]!.shape, name).toEqual(expected[i]!.shape);
      expect(relL2(ours[name]!.dataSync(), expected[i]!.dataSync()), name).toBeLessThan(1e-4);
    });
    tf.dispose([x, ...expected, ...Object.values(ours)]);
    ref.dispose();
  });

  // Odd sizes exercise ZeroPadding2D + stride-2 'valid' depthwise where the halves differ.
  it.each([
    ['block_5_add', 61],
    ['block_13_expand_relu', 67],
    ['out_relu', 50],
  ])('input gradient of a weighted %s objective equals tfjs autodiff of the same graph', (layer, size) => {
    expect(gradientErrorVsAutodiff(model as LayersDreamModel, layer, size)).toBeLessThan(1e-4);
  });

  it('lists its curated layers first, marked by what trained them', () => {
    const layers = model.layers(224, 224);
    expect(layers.slice(0, 3).map((l) => l.name)).toEqual(['block_2_expand_relu', 'block_3_expand_relu', 'block_5_expand_relu']);
    expect(layers.filter((l) => l.kind === 'block')).toHaveLength(10);
    expect(layers.find((l) => l.name === 'block_10_expand_relu')).toMatchObject({ height: 14, channels: 384, training: 'imagenet' });
    expect(layers.find((l) => l.name === 'block_11_expand_relu')).toMatchObject({ training: 'fine-tuned' });
    expect(layers.find((l) => l.name === 'out_relu')).toMatchObject({ height: 7, width: 7, channels: 1280, training: 'fine-tuned' });
    // The nsfwjs head (7x7 pooling, Flatten, Dense) is not an image layer and not listed.
    expect(layers.some((l) => /dense|flatten|average_pooling2d_1/.test(l.name))).toBe(false);
    expect(model.id).toBe('mobilenet_v2');
    expect(model.defaultInputSize).toBe(224);
  });

  it('refuses class objectives: its 5-class nsfwjs head is not ImageNet', () => {
    let err: unknown = null;
    try {
      classObjective(model, 'jellyfish');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClassObjectiveError);
    expect((err as Error).message).toMatch(/mobilenet_v2's classifier head \("dense_3"\) scores 5 classes, not the 1000 ImageNet classes/);
    expect((err as Error).message).toMatch(/nsfwjs/);
  });

  it('frees every intermediate tensor', () => {
    const warm = model.valueAndGradient(tf.zeros([1, 64, 64, 3]) as tf.Tensor4D, ['out_relu'], (a) => tf.mean(a['out_relu']!));
    warm.gradient.dispose();
    const x = tf.randomUniform([1, 71, 71, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { gradient } = model.valueAndGradient(x, ['block_5_add', 'block_12_add'], (a) => tf.add(tf.mean(a['block_5_add']!), tf.mean(a['block_12_add']!)));
    gradient.dispose();
    tf.dispose(Object.values(model.activations(x, ['block_9_add', 'Conv1_pad'])));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
