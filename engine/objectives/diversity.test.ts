import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { diversity } from './diversity.ts';
import { channelAt, neuronAt } from './batch.ts';
import { scale, sum } from './objective.ts';

describe('batch objectives', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('diversity is (b-1) for identical images and 0 for images whose Gram matrices do not overlap', () => {
    const one = tf.tensor4d([1, 0, 2, 0, 3, 0, 1, 0], [1, 2, 2, 2]);
    const other = tf.tensor4d([0, 1, 0, 2, 0, 1, 0, 3], [1, 2, 2, 2]);
    const same = tf.concat([one, one, one]);
    const apart = tf.concat([one, other]);
    expect(diversity('l').fn({ l: same }).dataSync()[0]).toBeCloseTo(2, 5);
    expect(diversity('l').fn({ l: apart }).dataSync()[0]).toBeCloseTo(0, 5);
    expect(diversity('l').fn({ l: one }).dataSync()[0]).toBe(0);
    tf.dispose([one, other, same, apart]);
  });

  it('diversity has a gradient that pushes images apart', () => {
    const acts = tf.tensor4d([1, 0.2, 2, 0.1, 1, 0.3, 2, 0.2], [2, 1, 2, 2]);
    const g = tf.grad((a) => diversity('l').fn({ l: a as tf.Tensor4D }))(acts);
    expect(g.dataSync().every(Number.isFinite)).toBe(true);
    expect(Math.max(...g.dataSync().map(Math.abs))).toBeGreaterThan(0);
    tf.dispose([acts, g]);
  });

  it('channelAt and neuronAt read one image of the batch and compose with sum and scale', () => {
    const acts = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90], [2, 3, 3, 1]);
    const both = sum(channelAt('l', 0, 0), scale(channelAt('l', 0, 1), 2));
    expect(both.fn({ l: acts }).dataSync()[0]).toBeCloseTo(5 + 2 * 50, 4);
    expect(neuronAt('l', 0, 1).fn({ l: acts }).dataSync()[0]).toBe(50);
    expect(() => channelAt('l', 1, 0).fn({ l: acts })).toThrow(RangeError);
    expect(() => channelAt('l', 0, 2).fn({ l: acts })).toThrow(/Batch element 2/);
    acts.dispose();
  });
});
