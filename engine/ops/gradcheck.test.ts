// The finite-difference check must have teeth: it has to flag tfjs's own gradients where they are
// wrong (AvgPool 'same' borders, wasm MaxPoolGrad) and pass where they are right.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the tfjs bundle registers them all (tests only).
import '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { describeReport, gradCheck, scalarOf, weightedSum } from '../../tests/helpers/gradcheck.ts';
import { avgPoolInputGradient } from './pool.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const tfGrad = (op: (x: tf.Tensor4D) => tf.Tensor4D, x: tf.Tensor4D, dy: tf.Tensor4D) =>
  tf.grad((t: tf.Tensor) => op(t as tf.Tensor4D))(x, dy) as tf.Tensor4D;

describe('gradCheck', () => {
  it("flags tf.grad(tf.avgPool) 'same' as wrong exactly at the borders; our gradient passes", () => {
    const [h, w] = [9, 11];
    const x = tf.randomNormal([1, h, w, 4], 0, 1, 'float32', 51) as tf.Tensor4D;
    const op = (t: tf.Tensor4D) => tf.avgPool(t, 3, 1, 'same');
    const dy = tf.randomNormal([1, h, w, 4], 0, 1, 'float32', 52) as tf.Tensor4D;
    const f = weightedSum(op, dy);
    const theirs = tfGrad(op, x, dy);
    const bad = gradCheck(f, x, theirs, { eps: 0.05 });
    expect(bad.ok).toBe(false);
    // Pixels whose windows include a border window (within 1 of an edge) are wrong; the interior is right.
    const nearEdge = (i: number, j: number) => i <= 1 || j <= 1 || i >= h - 2 || j >= w - 2;
    expect(bad.failures.every((e) => nearEdge(e.index[1], e.index[2]))).toBe(true);
    expect(bad.failures.length).toBeGreaterThan(100);
    expect(bad.directional.some((d) => !d.ok)).toBe(true);
    const ours = avgPoolInputGradient(dy, x.shape, { poolSize: [3, 3], strides: [1, 1], padding: 'same' });
    const good = gradCheck(f, x, ours, { eps: 0.05 });
    expect(good.ok, describeReport(good)).toBe(true);
    tf.dispose([x, dy, theirs, ours]);
  });

  it('flags wasm MaxPoolGrad on negative inputs with same padding (a tfjs 4.22 bug)', () => {
    const v = Array.from({ length: 9 * 11 * 2 }, (_, i) => -1 - ((i * 37) % 198) * 0.1); // distinct, all < 0
    const x = tf.tensor4d(v, [1, 9, 11, 2]);
    const op = (t: tf.Tensor4D) => tf.maxPool(t, 3, 1, 'same');
    const dy = tf.randomNormal([1, 9, 11, 2], 0, 1, 'float32', 53) as tf.Tensor4D;
    const theirs = tfGrad(op, x, dy);
    expect(gradCheck(weightedSum(op, dy), x, theirs, { eps: 1e-3 }).ok).toBe(false);
    tf.dispose([x, dy, theirs]);
  });

  it('passes a correct tfjs gradient of a smooth whole-tensor objective (scalarOf)', () => {
    const x = tf.randomNormal([1, 6, 7, 3], 0, 1, 'float32', 54) as tf.Tensor4D;
    const loss = (t: tf.Tensor) => tf.mean(tf.square(tf.tanh(t)));
    const g = tf.grad(loss)(x) as tf.Tensor4D;
    const report = gradCheck(scalarOf(loss), x, g, { eps: 1e-2, rtol: 2e-2 });
    expect(report.ok, describeReport(report)).toBe(true);
    tf.dispose([x, g]);
  });

  it('samples borders and corners on large inputs instead of every element', () => {
    const x = tf.randomNormal([1, 40, 50, 3], 0, 1, 'float32', 55) as tf.Tensor4D;
    const g = tf.mul(x, 2) as tf.Tensor4D;
    const report = gradCheck(weightedSum((t) => tf.square(t), tf.onesLike(x)), x, g, { samples: 20 });
    expect(report.ok, describeReport(report)).toBe(true);
    const idx = report.elements.map((e) => e.index.join(','));
    expect(idx).toEqual(expect.arrayContaining(['0,0,0,0', '0,39,49,2', '0,0,49,0', '0,39,0,2']));
    expect(report.elements.length).toBeLessThan(60);
    tf.dispose([x, g]);
  });
});
