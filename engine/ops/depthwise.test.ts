import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import type { ConvSpec } from './conv.ts';
import { depthwiseForward, depthwiseInputGradient, flipDepthwiseKernel } from './depthwise.ts';
import { describeReport, gradCheck, weightedSum } from '../../tests/helpers/gradcheck.ts';
import { convOutputSize, padAmounts, type Padding } from './padding.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

interface Case {
  size: [number, number];
  kernel: number;
  strides: [number, number];
  padding: Padding;
  channels?: number;
  multiplier?: number;
  batch?: number;
}

// MobileNet uses 3x3 s1 'same' and 3x3 s2 'valid' after ZeroPadding2D; the rest cover odd sizes,
// 'same' at stride 2, bigger kernels, channel multipliers and batches.
const cases: Case[] = [
  { size: [9, 11], kernel: 3, strides: [1, 1], padding: 'same' },
  { size: [9, 11], kernel: 3, strides: [1, 1], padding: 'valid' },
  { size: [10, 12], kernel: 3, strides: [2, 2], padding: 'valid' },
  { size: [9, 11], kernel: 3, strides: [2, 2], padding: 'valid' },
  { size: [9, 11], kernel: 3, strides: [2, 2], padding: 'same' },
  { size: [8, 10], kernel: 3, strides: [2, 2], padding: 'same' },
  { size: [9, 11], kernel: 5, strides: [2, 2], padding: 'same' },
  { size: [9, 11], kernel: 5, strides: [1, 1], padding: 'same', multiplier: 2 },
  { size: [9, 11], kernel: 3, strides: [2, 1], padding: 'same', multiplier: 3, channels: 2 },
  { size: [7, 6], kernel: 3, strides: [1, 1], padding: 'same', batch: 2 },
];

const name = (c: Case) => `${c.kernel}x${c.kernel} s${c.strides.join('x')} ${c.padding} ${c.size.join('x')}${c.multiplier ? ` m${c.multiplier}` : ''}${c.batch ? ` batch ${c.batch}` : ''}`;

describe('depthwiseInputGradient matches finite differences', () => {
  cases.forEach((c, i) => {
    it(name(c), () => {
      const [h, w] = c.size;
      const ch = c.channels ?? 4;
      const m = c.multiplier ?? 1;
      const n = c.batch ?? 1;
      const spec: ConvSpec = { strides: c.strides, padding: c.padding };
      const x = tf.randomNormal([n, h, w, ch], 0, 1, 'float32', 200 + i) as tf.Tensor4D;
      const k = tf.randomNormal([c.kernel, c.kernel, ch, m], 0, 0.3, 'float32', 300 + i) as tf.Tensor4D;
      const oh = convOutputSize(h, c.kernel, c.strides[0], c.padding);
      const ow = convOutputSize(w, c.kernel, c.strides[1], c.padding);
      const dy = tf.randomNormal([n, oh, ow, ch * m], 0, 1, 'float32', 400 + i) as tf.Tensor4D;
      const flipped = flipDepthwiseKernel(k);
      const g = depthwiseInputGradient(dy, k, x.shape, spec, flipped);
      const report = gradCheck(weightedSum((t) => depthwiseForward(t, k, null, spec, 'linear'), dy), x, g, { eps: 0.05, seed: i });
      expect(report.ok, describeReport(report)).toBe(true);
      // Without a cached flipped kernel: the same numbers.
      const g2 = depthwiseInputGradient(dy, k, x.shape, spec);
      expect(tf.max(tf.abs(tf.sub(g, g2))).dataSync()[0]).toBe(0);
      tf.dispose([x, k, dy, flipped, g, g2]);
    });
  });
});

describe('depthwiseForward', () => {
  it("pads 'same' the TF way and fuses bias + ReLU6", () => {
    const x = tf.randomNormal([1, 9, 8, 3], 0, 4, 'float32', 5) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 3, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
    const b = tf.tensor1d([0.5, -0.5, 1]);
    const r = padAmounts(9, 3, 2, 'same');
    const q = padAmounts(8, 3, 2, 'same');
    const ref = tf.relu6(tf.add(tf.depthwiseConv2d(tf.pad(x, [[0, 0], [r.before, r.after], [q.before, q.after], [0, 0]]), k, 2, 'valid'), b));
    const got = depthwiseForward(x, k, b, { strides: [2, 2], padding: 'same' }, 'relu6');
    expect(got.shape).toEqual(ref.shape);
    expect(tf.max(tf.abs(tf.sub(got, ref))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(got).dataSync()[0]).toBe(6); // large inputs do clip
    tf.dispose([x, k, b, ref, got]);
  });

  it('rejects a dy, input or flipped kernel of the wrong shape', () => {
    const k = tf.zeros([3, 3, 2, 1]) as tf.Tensor4D;
    const spec: ConvSpec = { strides: [2, 2], padding: 'valid' };
    const dy = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => depthwiseInputGradient(dy, k, [1, 11, 11, 2], spec)).toThrow(/does not match/);
    expect(() => depthwiseInputGradient(dy, k, [1, 9, 9, 3], spec)).toThrow(/channels/);
    const wrong = tf.zeros([3, 3, 1, 2]) as tf.Tensor4D;
    expect(() => depthwiseInputGradient(dy, k, [1, 9, 9, 2], spec, wrong)).toThrow(/flipped/);
    tf.dispose([k, dy, wrong]);
  });

  it('leaks no tensors and keeps its inputs', () => {
    const x = tf.randomNormal([1, 9, 9, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 2, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const spec: ConvSpec = { strides: [2, 2], padding: 'same' };
    const dy = tf.ones([1, 5, 5, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    tf.dispose([depthwiseForward(x, k, null, spec, 'relu'), depthwiseInputGradient(dy, k, x.shape, spec), flipDepthwiseKernel(k)]);
    expect(tf.memory().numTensors).toBe(before);
    expect([x, k, dy].every((t) => !t.isDisposed)).toBe(true);
    tf.dispose([x, k, dy]);
  });
});
