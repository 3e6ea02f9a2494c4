// Objective values on hand-made activations: what each term measures, and how they compose.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.ts';
import { channelMean, layerMean, negate, neuron, scale, sum } from './objective.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

// A 1x3x3x2 activation: channel 0 counts 0..8, channel 1 is all 10.
const acts = (): Record<string, tf.Tensor4D> => ({
  a: tf.tensor4d(Array.from({ length: 9 }, (_, i) => [i, 10]).flat(), [1, 3, 3, 2]),
});

function value(o: ReturnType<typeof layerMean>): number {
  const a = acts();
  const v = tf.tidy(() => o.fn(a).dataSync()[0]!);
  tf.dispose(Object.values(a));
  return v;
}

describe('objectives', () => {
  it('measure layer means, channel means and the centre neuron', () => {
    expect(value(layerMean('a'))).toBeCloseTo((36 + 90) / 18, 5);
    expect(value(channelMean('a', 0))).toBeCloseTo(4, 5);
    expect(value(channelMean('a', 1))).toBeCloseTo(10, 5);
    expect(value(neuron('a', 0))).toBeCloseTo(4, 5);
  });

  it('scale, negate and sum compose, and collect the layers they read', () => {
    const o = sum(scale(channelMean('a', 0), 2), negate(channelMean('a', 1)));
    expect(value(o)).toBeCloseTo(2 * 4 - 10, 5);
    expect(o.layers).toEqual(['a']);
    expect(o.describe).toBe('2*a:0 + -1*a:1');
    expect(sum(layerMean('x'), layerMean('y'), layerMean('x')).layers).toEqual(['x', 'y']);
  });

  it('refuses a channel the layer does not have, and an empty sum', () => {
    expect(() => value(channelMean('a', 2))).toThrow(/has 2 channels/);
    expect(() => sum()).toThrow(/at least one term/);
  });
});
