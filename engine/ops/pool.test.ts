import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { describeReport, gradCheck, mulberry32, weightedSum } from '../../tests/helpers/gradcheck.ts';
import { avgPoolForward, avgPoolInputGradient, maxPoolForward, type PoolSpec } from './pool.ts';
import { maxPoolInputGradient } from './maxPoolPhases.ts';
import { refPool } from '../../tests/helpers/poolReference.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const spec = (k: number, s: number, padding: 'same' | 'valid'): PoolSpec => ({ poolSize: [k, k], strides: [s, s], padding });
const specs: [string, PoolSpec][] = [
  ['3x3 s2 valid', spec(3, 2, 'valid')],
  ['3x3 s1 valid', spec(3, 1, 'valid')],
  ['3x3 s1 same', spec(3, 1, 'same')],
  ['2x2 s2 same', spec(2, 2, 'same')],
  ['3x3 s2 same', spec(3, 2, 'same')],
];
const shapes: [number, number, number, number][] = [[1, 9, 11, 4], [2, 8, 10, 3]];

/** Data whose values are all distinct and 0.1 apart, so small perturbations never change an arg-max. */
function distinct(shape: number[], seed: number, offset = 0): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: size }, (_, i) => (i - size / 2) * 0.1 + offset);
  const rand = mulberry32(seed);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [v[i], v[j]] = [v[j] as number, v[i] as number];
  }
  return tf.tensor4d(v, shape as [number, number, number, number]);
}

/** Small integers: many ties inside windows. */
function tied(shape: number[], seed: number, offset = 0): tf.Tensor4D {
  const rand = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Array.from({ length: size }, () => Math.floor(rand() * 3) + offset), shape as [number, number, number, number]);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe.each(specs)('pooling %s', (_name, sp) => {
  it.each(shapes)('forward matches Keras semantics at borders (%i x %i x %i x %i)', (...shape) => {
    for (const x of [tf.randomNormal(shape, 0, 1, 'float32', 3) as tf.Tensor4D, tf.neg(tf.abs(tf.randomNormal(shape, 1, 1, 'float32', 4))) as tf.Tensor4D]) {
      const xd = x.dataSync();
      const mx = maxPoolForward(x, sp);
      const av = avgPoolForward(x, sp);
      expect(maxDiff(mx.dataSync(), refPool(xd, shape, sp, 'max').y)).toBe(0);
      expect(maxDiff(av.dataSync(), refPool(xd, shape, sp, 'avg').y)).toBeLessThan(1e-6);
      tf.dispose([x, mx, av]);
    }
  });

  it.each(shapes)('max gradient routes to the first maximum, ties and negative borders (%i x %i x %i x %i)', (...shape) => {
    for (const x of [tied(shape, 5), tied(shape, 6, -5), distinct(shape, 7, -100)]) {
      const y = maxPoolForward(x, sp);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 8) as tf.Tensor4D;
      const g = maxPoolInputGradient(dy, x, y, sp);
      const ref = refPool(x.dataSync(), shape, sp, 'max').grad(dy.dataSync());
      expect(maxDiff(g.dataSync(), ref)).toBeLessThan(1e-6);
      tf.dispose([x, y, dy, g]);
    }
  });

  it.each(shapes)('max gradient matches finite differences (%i x %i x %i x %i)', (...shape) => {
    const x = distinct(shape, 9);
    const y = maxPoolForward(x, sp);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 10) as tf.Tensor4D;
    const g = maxPoolInputGradient(dy, x, y, sp);
    const report = gradCheck(weightedSum((t) => maxPoolForward(t, sp), dy), x, g, { eps: 1e-3 });
    expect(report.ok, describeReport(report)).toBe(true);
    tf.dispose([x, y, dy, g]);
  });

  it.each(shapes)('avg gradient matches finite differences and the reference (%i x %i x %i x %i)', (...shape) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = avgPoolForward(x, sp);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 12) as tf.Tensor4D;
    const g = avgPoolInputGradient(dy, x.shape, sp);
    expect(maxDiff(g.dataSync(), refPool(x.dataSync(), shape, sp, 'avg').grad(dy.dataSync()))).toBeLessThan(1e-6);
    const report = gradCheck(weightedSum((t) => avgPoolForward(t, sp), dy), x, g, { eps: 0.05 });
    expect(report.ok, describeReport(report)).toBe(true);
    tf.dispose([x, y, dy, g]);
  });
});

describe('pool gradients reject mismatched shapes', () => {
  it('throws on a dy that is not the forward output', () => {
    const x = tf.zeros([1, 9, 9, 2]) as tf.Tensor4D;
    const dy = tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;
    expect(() => avgPoolInputGradient(dy, x.shape, spec(3, 2, 'valid'))).toThrow(/does not match/);
    expect(() => maxPoolInputGradient(dy, x, dy, spec(3, 2, 'valid'))).toThrow(/does not match/);
    tf.dispose([x, dy]);
  });
});
