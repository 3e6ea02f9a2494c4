import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { concatInputGradients } from './concat.ts';
import { describeReport, gradCheck, weightedSum } from '../../tests/helpers/gradcheck.ts';
import { reluInputGradient } from './relu.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('reluInputGradient', () => {
  it('matches finite differences away from 0 and is exactly 0 where the input was 0', () => {
    // Every third pre-activation is exactly 0; the rest are kept at least 0.1 away from the kink.
    const base = tf.randomNormal([1, 9, 11, 4], 0, 1, 'float32', 21);
    const zd = Array.from(base.dataSync(), (v, i) => (i % 3 === 0 ? 0 : v + Math.sign(v) * 0.1));
    const z = tf.tensor4d(zd, [1, 9, 11, 4]);
    const y = tf.relu(z);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 22) as tf.Tensor4D;
    const g = reluInputGradient(dy, y);
    const gd = g.dataSync();
    zd.forEach((v, i) => {
      if (v === 0) expect(Math.abs(gd[i] as number)).toBe(0); // may be -0 where dy < 0
    });
    const report = gradCheck(weightedSum((t) => tf.relu(t), dy), z, g, { exclude: (i) => zd[i] === 0 });
    expect(report.ok, describeReport(report)).toBe(true);
    expect(report.elements.length).toBeGreaterThan(200);
    tf.dispose([base, z, y, dy, g]);
  });
});

describe('concatInputGradients', () => {
  it('gives each branch the gradient of its own channels', () => {
    const sizes = [3, 1, 4];
    const parts = sizes.map((c, i) => tf.randomNormal([1, 5, 6, c], 0, 1, 'float32', 30 + i) as tf.Tensor4D);
    const dy = tf.randomNormal([1, 5, 6, 8], 0, 1, 'float32', 40) as tf.Tensor4D;
    const grads = concatInputGradients(dy, sizes);
    expect(grads.map((g) => g.shape)).toEqual(parts.map((p) => p.shape));
    parts.forEach((p, b) => {
      const f = weightedSum((t) => tf.concat(parts.map((q, j) => (j === b ? t : q)), 3), dy);
      const report = gradCheck(f, p, grads[b] as tf.Tensor4D, { eps: 0.05 });
      expect(report.ok, describeReport(report)).toBe(true);
    });
    expect(() => concatInputGradients(dy, [3, 4])).toThrow(/do not sum/);
    tf.dispose([...parts, dy, ...grads]);
  });
});
