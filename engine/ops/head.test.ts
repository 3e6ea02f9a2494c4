import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { describeReport, gradCheck, weightedSum } from '../../tests/helpers/gradcheck.ts';
import { denseForward, denseInputGradient, globalAvgPoolForward, globalAvgPoolInputGradient } from './head.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('globalAvgPoolInputGradient', () => {
  it('matches finite differences (batch 2, odd sizes)', () => {
    const x = tf.randomNormal([2, 5, 7, 3], 0, 1, 'float32', 61) as tf.Tensor4D;
    const y = globalAvgPoolForward(x);
    expect(y.shape).toEqual([2, 1, 1, 3]);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 62) as tf.Tensor4D;
    const g = globalAvgPoolInputGradient(dy, x.shape);
    const report = gradCheck(weightedSum(globalAvgPoolForward, dy), x, g, { eps: 0.05 });
    expect(report.ok, describeReport(report)).toBe(true);
    expect(() => globalAvgPoolInputGradient(dy, [2, 5, 7, 4])).toThrow(/is not/);
    tf.dispose([x, y, dy, g]);
  });
});

describe('denseInputGradient', () => {
  it.each([false, true])('relu %s: matches finite differences', (relu) => {
    const x = tf.randomNormal([1, 1, 1, 12], 0, 1, 'float32', 71) as tf.Tensor4D;
    const kernel = tf.randomNormal([12, 10], 0, 0.5, 'float32', 72) as tf.Tensor2D;
    const bias = tf.randomNormal([10], 0, 0.5, 'float32', 73) as tf.Tensor1D;
    const y = denseForward(x, kernel, bias, relu);
    expect(y.shape).toEqual([1, 1, 1, 10]);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 74) as tf.Tensor4D;
    const g = denseInputGradient(dy, kernel, y, relu);
    // eps small enough that no unit crosses its ReLU kink (pre-activations are O(1)).
    const report = gradCheck(weightedSum((t) => denseForward(t, kernel, bias, relu), dy), x, g, { eps: 1e-3, rtol: 2e-2 });
    expect(report.ok, describeReport(report)).toBe(true);
    tf.dispose([x, kernel, bias, y, dy, g]);
  });

  it('refuses spatial inputs and mismatched kernels; leaks nothing', () => {
    const kernel = tf.zeros([4, 3]) as tf.Tensor2D;
    const x = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
    expect(() => denseForward(x, kernel, null, false)).toThrow(/does not fit/);
    expect(() => denseInputGradient(tf.zeros([1, 1, 1, 5]) as tf.Tensor4D, kernel, x, false)).toThrow(/units/);
    const x1 = tf.ones([1, 1, 1, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = denseForward(x1, kernel, null, true);
    tf.dispose([y, denseInputGradient(y, kernel, y, true), globalAvgPoolForward(x), globalAvgPoolInputGradient(x1, [1, 3, 3, 4])]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([kernel, x, x1]);
  });
});
