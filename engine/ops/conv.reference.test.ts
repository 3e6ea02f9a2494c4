// convInputGradient (wasm) against tfjs's own Conv2DBackpropInput via tf.grad on the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the tfjs bundle registers them all (tests only).
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { convInputGradient, type ConvSpec } from './conv.ts';
import { convOutputSize } from './padding.ts';

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('wasm');
});

const cases: { name: string; x: [number, number, number, number]; k: [number, number, number, number]; spec: ConvSpec }[] = [
  { name: '35x35x8 -> 6, 3x3 s2 valid', x: [1, 35, 35, 8], k: [3, 3, 8, 6], spec: { strides: [2, 2], padding: 'valid' } },
  { name: '17x17x6 -> 5, 1x7 s1 same', x: [1, 17, 17, 6], k: [1, 7, 6, 5], spec: { strides: [1, 1], padding: 'same' } },
  { name: '17x8x4 -> 3, 3x3 s2 same', x: [2, 17, 8, 4], k: [3, 3, 4, 3], spec: { strides: [2, 2], padding: 'same' } },
];

describe('convInputGradient agrees with tf.grad(tf.conv2d) on cpu', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const oh = convOutputSize(c.x[1], c.k[0], c.spec.strides[0], c.spec.padding);
      const ow = convOutputSize(c.x[2], c.k[1], c.spec.strides[1], c.spec.padding);
      const dyShape: [number, number, number, number] = [c.x[0], oh, ow, c.k[3]];
      const data = (shape: number[], seed: number) => {
        const t = tf.randomNormal(shape, 0, 1, 'float32', seed);
        const d = t.dataSync().slice();
        t.dispose();
        return d;
      };
      const kd = data(c.k, 1);
      const dyd = data(dyShape, 2);

      await initBackend('cpu');
      const k = tf.tensor4d(kd, c.k);
      const dy = tf.tensor4d(dyd, dyShape);
      const ref = tf.grad((x: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, k, c.spec.strides, c.spec.padding))(tf.zeros(c.x), dy);
      const refData = ref.dataSync().slice();
      tf.dispose([k, dy, ref]);

      await initBackend('wasm');
      const k2 = tf.tensor4d(kd, c.k);
      const dy2 = tf.tensor4d(dyd, dyShape);
      const got = convInputGradient(dy2, k2, c.x, c.spec);
      const gd = got.dataSync();
      let maxErr = 0;
      let maxRef = 0;
      refData.forEach((v, i) => {
        maxErr = Math.max(maxErr, Math.abs(v - (gd[i] as number)));
        maxRef = Math.max(maxRef, Math.abs(v));
      });
      expect(maxErr).toBeLessThan(1e-5 * Math.max(1, maxRef));
      tf.dispose([k2, dy2, got]);
    });
  }
});
