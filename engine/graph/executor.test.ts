// Our executor (BN folded, own gradients) against tfjs-layers' forward pass and tfjs autodiff of the same graph.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfjs from '@tensorflow/tfjs';
import { loadEmbedded } from '../model/files/source.ts';
import { embeddedModel } from '../../tests/helpers/embedded.ts';
import type { LayersDreamModel } from '../model/layersModel.ts';
import type { DreamModel } from '../shared/model.ts';
import { relL2 } from '../../tests/helpers/numeric.ts';
import { gradientErrorVsAutodiff } from '../../tests/helpers/autodiffCheck.ts';

let model: DreamModel;
beforeAll(async () => {
  model = await embeddedModel();
});

describe('embedded InceptionV3 executor', () => {
  it('matches tfjs-layers forward activations at mixed0, mixed3 and mixed5 (BN folded, ReLU fused)', async () => {
    const files = loadEmbedded('inception_v3');
    const ref = await tfjs.loadLayersModel(tfjs.io.fromMemory({ modelTopology: files.modelTopology as object, weightSpecs: files.weightSpecs, weightData: files.weightData }));
    const names = ['mixed0', 'mixed3', 'mixed5'];
    const trunk = tfjs.model({ inputs: ref.inputs, outputs: names.map((n) => ref.getLayer(n).output as tfjs.SymbolicTensor) });
    const x = tf.randomUniform([1, 299, 299, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const expected = trunk.predict(x) as tf.Tensor[];
    const ours = model.activations(x, names);
    for (const [i, name] of names.entries()) {
      expect(ours[name]!.shape).toEqual(expected[i]!.shape);
      const err = relL2(ours[name]!.dataSync() as Float32Array, expected[i]!.dataSync() as Float32Array);
      expect(err, name).toBeLessThan(1e-5);
    }
    tf.dispose([x, ...expected, ...Object.values(ours)]);
    ref.dispose();
  });

  // Whole-network check against tfjs's own autodiff of the same graph, with average pooling written as
  // depthwise-conv / count (whose registered gradients are right). Per-op finite differences live in
  // engine/ops; the independent PyTorch rebuild at 299x299 is tests/reference-gradient.test.ts.
  it.each([
    ['mixed3', 83],
    ['mixed5', 91],
  ])('input gradient of a weighted %s objective equals tfjs autodiff of the same graph', (layer, size) => {
    expect(gradientErrorVsAutodiff(model as LayersDreamModel, layer, size)).toBeLessThan(1e-4);
  });

  it('frees every intermediate tensor', () => {
    const x = tf.randomUniform([1, 107, 107, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { gradient } = model.valueAndGradient(x, ['mixed3', 'mixed5'], (a) => tf.add(tf.mean(a['mixed3']!), tf.mean(a['mixed5']!)));
    gradient.dispose();
    const acts = model.activations(x, ['mixed2']);
    tf.dispose(Object.values(acts));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('refuses layers it does not have, naming what to use instead', () => {
    const x = tf.zeros([1, 99, 99, 3]) as tf.Tensor4D;
    expect(() => model.activations(x, ['mixed55'])).toThrow(/mixed5/);
    expect(() => model.activations(x, ['conv2d_5'])).toThrow(/fused .*activation_5/);
    expect(() => model.activations(x, ['dense_1'])).toThrow(/classifier head/);
    x.dispose();
  });
});

