import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import {
  convForward,
  convInputGradient,
  convInputGradientZeroInsert,
  disposeConvGradient,
  flipKernel,
  prepareConvGradient,
  type ConvSpec,
} from './conv.ts';
import { describeReport, gradCheck, weightedSum } from '../../tests/helpers/gradcheck.ts';
import { convOutputSize, padAmounts, type Padding } from './padding.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

interface Case {
  name: string;
  size: [number, number];
  kernel: [number, number];
  strides: [number, number];
  padding: Padding;
  cin?: number;
  cout?: number;
  batch?: number;
}

const s1: [number, number] = [1, 1];
const s2: [number, number] = [2, 2];
// Every combination InceptionV3 uses, plus stride-2 'same' and odd sizes where stride does not divide.
const cases: Case[] = [
  { name: '1x1 s1 same', size: [9, 11], kernel: [1, 1], strides: s1, padding: 'same' },
  { name: '1x1 s1 valid', size: [9, 11], kernel: [1, 1], strides: s1, padding: 'valid' },
  { name: '1x1 s2 same odd', size: [9, 11], kernel: [1, 1], strides: s2, padding: 'same' },
  { name: '1x1 s2 valid odd', size: [9, 11], kernel: [1, 1], strides: s2, padding: 'valid' },
  { name: '3x3 s1 same', size: [9, 11], kernel: [3, 3], strides: s1, padding: 'same' },
  { name: '3x3 s1 valid', size: [9, 11], kernel: [3, 3], strides: s1, padding: 'valid' },
  { name: '3x3 s2 valid odd', size: [9, 11], kernel: [3, 3], strides: s2, padding: 'valid' },
  { name: '3x3 s2 valid even', size: [8, 10], kernel: [3, 3], strides: s2, padding: 'valid' },
  { name: '3x3 s2 same odd', size: [9, 11], kernel: [3, 3], strides: s2, padding: 'same' },
  { name: '3x3 s2 same even', size: [8, 10], kernel: [3, 3], strides: s2, padding: 'same' },
  { name: '3x3 s2 same 17x8', size: [17, 8], kernel: [3, 3], strides: s2, padding: 'same', cin: 3 },
  { name: '3x3 s2 valid 35x35', size: [35, 35], kernel: [3, 3], strides: s2, padding: 'valid', cin: 3 },
  { name: '3x3 s2 valid 299x299x3 (stem)', size: [299, 299], kernel: [3, 3], strides: s2, padding: 'valid', cin: 3, cout: 4 },
  { name: '1x3 s1 same', size: [9, 11], kernel: [1, 3], strides: s1, padding: 'same' },
  { name: '3x1 s1 same', size: [9, 11], kernel: [3, 1], strides: s1, padding: 'same' },
  { name: '1x7 s1 same', size: [9, 11], kernel: [1, 7], strides: s1, padding: 'same' },
  { name: '7x1 s1 same', size: [9, 11], kernel: [7, 1], strides: s1, padding: 'same' },
  { name: '1x7 s1 valid', size: [9, 11], kernel: [1, 7], strides: s1, padding: 'valid' },
  { name: '7x1 s2 same', size: [9, 11], kernel: [7, 1], strides: s2, padding: 'same' },
  { name: '1x3 s2 valid', size: [9, 11], kernel: [1, 3], strides: s2, padding: 'valid' },
  { name: '5x5 s1 same', size: [9, 11], kernel: [5, 5], strides: s1, padding: 'same' },
  { name: '5x5 s1 valid', size: [9, 11], kernel: [5, 5], strides: s1, padding: 'valid' },
  { name: '5x5 s2 same', size: [9, 11], kernel: [5, 5], strides: s2, padding: 'same' },
  { name: '5x5 s2 valid', size: [9, 11], kernel: [5, 5], strides: s2, padding: 'valid' },
  { name: '3x3 strides [1,2] same', size: [9, 11], kernel: [3, 3], strides: [1, 2], padding: 'same' },
  { name: '3x3 s1 same batch 2', size: [7, 6], kernel: [3, 3], strides: s1, padding: 'same', batch: 2 },
  { name: '3x3 s2 valid batch 2', size: [7, 8], kernel: [3, 3], strides: s2, padding: 'valid', batch: 2 },
];

function setup(c: Case, seed: number) {
  const [h, w] = c.size;
  const [kh, kw] = c.kernel;
  const cin = c.cin ?? 4;
  const cout = c.cout ?? 5;
  const n = c.batch ?? 1;
  const spec: ConvSpec = { strides: c.strides, padding: c.padding };
  const x = tf.randomNormal([n, h, w, cin], 0, 1, 'float32', seed) as tf.Tensor4D;
  const k = tf.randomNormal([kh, kw, cin, cout], 0, 1 / Math.sqrt(kh * kw * cin), 'float32', seed + 1) as tf.Tensor4D;
  const oh = convOutputSize(h, kh, c.strides[0], c.padding);
  const ow = convOutputSize(w, kw, c.strides[1], c.padding);
  const dy = tf.randomNormal([n, oh, ow, cout], 0, 1, 'float32', seed + 2) as tf.Tensor4D;
  return { x, k, dy, spec };
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0] as number);
}

describe('convInputGradient matches finite differences', () => {
  cases.forEach((c, i) => {
    it(c.name, () => {
      const { x, k, dy, spec } = setup(c, 100 + 10 * i);
      // The fast path (prepared kernels: phase decomposition when strided) against finite differences...
      const prepared = prepareConvGradient(k, spec);
      const g = convInputGradient(dy, k, x.shape, spec, prepared);
      const report = gradCheck(weightedSum((t) => convForward(t, k, null, spec, false), dy), x, g, { eps: 0.05, seed: i });
      expect(report.ok, describeReport(report)).toBe(true);
      // ...and against the zero-insertion reference (float32 summation order differs).
      const ref = convInputGradientZeroInsert(dy, k, x.shape, spec);
      expect(maxAbs(tf.sub(g, ref))).toBeLessThan(1e-5 * Math.max(1, maxAbs(ref)));
      // No cache and a bare pre-flipped kernel both take the zero-insertion path.
      const flipped = flipKernel(k);
      const g1 = convInputGradient(dy, k, x.shape, spec);
      const g2 = convInputGradient(dy, k, x.shape, spec, flipped);
      expect(maxAbs(tf.sub(g1, ref))).toBe(0);
      expect(maxAbs(tf.sub(g2, ref))).toBe(0);
      disposeConvGradient(prepared);
      tf.dispose([x, k, dy, g, ref, flipped, g1, g2]);
    });
  });
});

describe('convForward', () => {
  it("pads 'same' the TF way (extra pixel after) and fuses bias + ReLU", () => {
    for (const [h, w, s] of [[8, 10, 2], [9, 11, 2], [17, 8, 2], [9, 11, 1]] as const) {
      const x = tf.randomNormal([1, h, w, 3], 0, 1, 'float32', h * w) as tf.Tensor4D;
      const k = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
      const b = tf.tensor1d([0.3, -0.2]);
      const r = padAmounts(h, 3, s, 'same');
      const q = padAmounts(w, 3, s, 'same');
      const ref = tf.relu(tf.add(tf.conv2d(tf.pad(x, [[0, 0], [r.before, r.after], [q.before, q.after], [0, 0]]), k, s, 'valid'), b));
      const got = convForward(x, k, b, { strides: [s, s], padding: 'same' }, true);
      expect(got.shape).toEqual(ref.shape);
      expect(tf.max(tf.abs(tf.sub(got, ref))).dataSync()[0]).toBeLessThan(1e-5);
      tf.dispose([x, k, b, ref, got]);
    }
  });

  it('rejects a dy or flipped kernel of the wrong shape', () => {
    const k = tf.zeros([3, 3, 2, 4]) as tf.Tensor4D;
    const dy = tf.zeros([1, 4, 4, 4]) as tf.Tensor4D;
    expect(() => convInputGradient(dy, k, [1, 11, 11, 2], { strides: [2, 2], padding: 'valid' })).toThrow(/does not match/);
    expect(() => convInputGradient(dy, k, [1, 8, 8, 2], { strides: [2, 2], padding: 'same' }, k)).toThrow(/flipped/);
    const prepared = prepareConvGradient(k, { strides: [2, 2], padding: 'same' });
    expect(() => convInputGradient(tf.zeros([1, 8, 8, 4]) as tf.Tensor4D, k, [1, 8, 8, 2], { strides: [1, 1], padding: 'same' }, prepared)).toThrow(/strides/);
    disposeConvGradient(prepared);
    tf.dispose([k, dy]);
  });
});
