// Our executor (BN folded, own gradients) against tfjs-layers' forward pass and finite differences.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfjs from '@tensorflow/tfjs';
import { loadEmbedded } from './source.ts';
import { embeddedModel } from '../../tests/helpers/embedded.ts';
import { ancestors, type Graph } from './graph.ts';
import type { LayersDreamModel } from './layersModel.ts';
import type { DreamModel } from './types.ts';

function relL2(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

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
    const graph = (model as LayersDreamModel).graph;
    const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const shape = model.layers(size, size).find((l) => l.name === layer)!;
    const w = tf.randomNormal([1, shape.height, shape.width, shape.channels], 0, 1, 'float32', 5);
    const { gradient } = model.valueAndGradient(x, [layer], (acts) => tf.sum(tf.mul(acts[layer]!, w)));
    const expected = tf.grad((t: tf.Tensor4D) => tf.sum(tf.mul(autodiffForward(graph, t, layer), w)))(x);
    const err = relL2(gradient.dataSync() as Float32Array, expected.dataSync() as Float32Array);
    expect(err).toBeLessThan(1e-4);
    tf.dispose([x, w, gradient, expected]);
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

/** The graph's forward pass in plain tfjs ops, so tf.grad can differentiate it. */
function autodiffForward(graph: Graph, x: tf.Tensor4D, target: string): tf.Tensor4D {
  const values = new Map<string, tf.Tensor4D>();
  for (const node of ancestors(graph, [target])) {
    const ins = node.inputs.map((n) => values.get(n)!);
    const a = ins[0]!;
    let y: tf.Tensor4D;
    switch (node.op) {
      case 'input':
        y = x;
        break;
      case 'conv': {
        const c = tf.conv2d(a, node.kernel, node.spec.strides, node.spec.padding);
        const b = node.bias ? tf.add(c, node.bias) : c;
        y = (node.relu ? tf.relu(b) : b) as tf.Tensor4D;
        break;
      }
      case 'maxpool':
        y = tf.maxPool(a, node.spec.poolSize, node.spec.strides, node.spec.padding);
        break;
      case 'avgpool': {
        // Stride-1 'same' window sums as shifted slices of the zero-padded input (all wasm-differentiable).
        const [ph, pw] = node.spec.poolSize;
        if (node.spec.padding !== 'same' || node.spec.strides[0] !== 1 || node.spec.strides[1] !== 1) throw new Error('test reference: only stride-1 same avg pooling');
        const pads: Array<[number, number]> = [[0, 0], [Math.floor((ph - 1) / 2), ph - 1 - Math.floor((ph - 1) / 2)], [Math.floor((pw - 1) / 2), pw - 1 - Math.floor((pw - 1) / 2)], [0, 0]];
        const windowSum = (t: tf.Tensor4D): tf.Tensor4D => {
          const p = tf.pad(t, pads);
          const parts: tf.Tensor4D[] = [];
          for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) parts.push(tf.slice(p, [0, i, j, 0], t.shape));
          return tf.addN(parts);
        };
        y = tf.div(windowSum(a), windowSum(tf.onesLike(a)));
        break;
      }
      case 'concat':
        y = tf.concat(ins, 3);
        break;
      case 'relu':
        y = tf.relu(a);
        break;
      case 'affine':
        y = tf.add(tf.mul(a, node.scale), node.shift);
        break;
    }
    values.set(node.name, y);
  }
  return values.get(target)!;
}
