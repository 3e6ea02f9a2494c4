// A Keras-MobileNet-v1-shaped model (the tfjs-models layers conversions in the catalogue): ReLU6 as
// Activation('relu6'), depthwise pairs, and the Reshape/Dropout/Conv2D/softmax head read as logits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../backend.ts';
import { loadDreamModel } from './load.ts';
import { writeTinyMobileNetV1 } from '../../tests/helpers/testModelsMobile.ts';
import { classHead, classObjective, resolveClass } from './classes.ts';
import { autodiffForward } from '../graph/autodiff.ts';
import type { LayersDreamModel } from './layersModel.ts';
import type { DreamModel } from '../shared/model.ts';

let dir: string;
let model: DreamModel;
let ref: tfl.LayersModel;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-mnv1-'));
  const w = await writeTinyMobileNetV1(join(dir, 'v1'));
  model = await loadDreamModel(join(dir, 'v1'));
  const json = JSON.parse(await readFile(w.modelJsonPath, 'utf8')) as { modelTopology: object };
  const data = await readFile(w.shardPaths[0]!);
  ref = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: w.weightSpecs, weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer }));
});
afterAll(async () => {
  model.dispose();
  ref.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('Keras MobileNet v1 layout', () => {
  it('gives the logits whose softmax tfjs-layers outputs, and reads the 1000-unit head as ImageNet', () => {
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const probs = ref.predict(x) as tf.Tensor;
    const head = classHead(model);
    expect(head).toMatchObject({ layer: 'conv_preds', offset: 0, source: 'imagenet' });
    const acts = model.activations(x, ['conv_preds', 'conv_pw_2_relu']);
    const ours = tf.softmax(tf.reshape(acts['conv_preds']!, [1, 1000]));
    expect(tf.max(tf.abs(tf.sub(ours, probs))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(acts['conv_pw_2_relu']!).dataSync()[0]).toBeLessThanOrEqual(6);
    expect(resolveClass(model, 'jellyfish')).toMatchObject({ index: 107, logit: 107, layer: 'conv_preds' });
    tf.dispose([x, probs, ours, ...Object.values(acts)]);
  });

  it('has the same input gradient for a class plus a layer term as tfjs autodiff', () => {
    const graph = (model as LayersDreamModel).graph;
    const x = tf.randomUniform([1, 37, 41, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
    const cls = classObjective(model, 'goldfish');
    const f = (a: Record<string, tf.Tensor4D>) => tf.add(cls.fn(a), tf.mean(a['conv_pw_1_relu']!)) as tf.Scalar;
    const { gradient } = model.valueAndGradient(x, [...cls.layers, 'conv_pw_1_relu'], f);
    const expected = tf.grad((t: tf.Tensor) => f({ conv_preds: autodiffForward(graph, t as tf.Tensor4D, 'conv_preds', 'exact'), conv_pw_1_relu: autodiffForward(graph, t as tf.Tensor4D, 'conv_pw_1_relu', 'exact') }))(x);
    const err = tf.tidy(() => tf.norm(tf.sub(gradient, expected)).dataSync()[0]! / tf.norm(expected).dataSync()[0]!);
    expect(err).toBeLessThan(1e-5);
    tf.dispose([x, gradient, expected]);
  });

  it('lists image layers and the logits, not the rest of the head', () => {
    const names = model.layers(224, 224).map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['conv1_relu', 'conv_dw_2_relu', 'conv_pw_2_relu', 'conv_preds']));
    expect(names.some((n) => /global_average|reshape|dropout|act_softmax/.test(n))).toBe(false);
    expect(model.layers(224, 224).find((l) => l.name === 'conv_preds')).toMatchObject({ height: 1, width: 1, channels: 1000 });
  });
});
