// Every op function must leave exactly its result behind (no intermediates) and keep its inputs alive.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { concatInputGradients } from './concat.ts';
import { convForward, convInputGradient, disposeConvGradient, flipKernel, prepareConvGradient, type ConvSpec } from './conv.ts';
import { avgPoolForward, avgPoolInputGradient, avgPoolReciprocalCounts, maxPoolForward, type PoolSpec } from './pool.ts';
import { maxPoolInputGradient } from './maxPoolPhases.ts';
import { reluInputGradient } from './relu.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

function expectNoLeak(name: string, inputs: tf.Tensor[], run: () => tf.Tensor | tf.Tensor[]): void {
  const before = tf.memory().numTensors;
  const out = run();
  tf.dispose(out);
  expect(tf.memory().numTensors, name).toBe(before);
  expect(inputs.every((t) => !t.isDisposed), `${name} disposed an input`).toBe(true);
}

describe('ops leak no tensors', () => {
  it('conv, pool, relu, concat', () => {
    const x = tf.randomNormal([1, 9, 11, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 4, 6], 0, 1, 'float32', 2) as tf.Tensor4D;
    const b = tf.zeros([6]) as tf.Tensor1D;
    for (const spec of [{ strides: [2, 2], padding: 'valid' }, { strides: [1, 1], padding: 'same' }, { strides: [2, 2], padding: 'same' }] as ConvSpec[]) {
      const y = convForward(x, k, b, spec, true);
      const flipped = flipKernel(k);
      expectNoLeak('convForward', [x, k, b], () => convForward(x, k, b, spec, true));
      expectNoLeak('convForward no bias', [x, k], () => convForward(x, k, null, spec, false));
      expectNoLeak('flipKernel', [k], () => flipKernel(k));
      expectNoLeak('convInputGradient', [y, k], () => convInputGradient(y, k, x.shape, spec));
      expectNoLeak('convInputGradient flipped', [y, k, flipped], () => convInputGradient(y, k, x.shape, spec, flipped));
      const prepared = prepareConvGradient(k, spec);
      expectNoLeak('convInputGradient prepared', [y, k, prepared.flipped], () => convInputGradient(y, k, x.shape, spec, prepared));
      expectNoLeak('prepare + dispose', [k], () => {
        disposeConvGradient(prepareConvGradient(k, spec));
        return [];
      });
      disposeConvGradient(prepared);
      expectNoLeak('reluInputGradient', [y], () => reluInputGradient(y, y));
      expectNoLeak('concatInputGradients', [y], () => concatInputGradients(y, [2, 4]));
      expectNoLeak('concatInputGradients single', [y], () => concatInputGradients(y, [6]));
      tf.dispose([y, flipped]);
    }
    for (const spec of [
      { poolSize: [3, 3], strides: [2, 2], padding: 'valid' },
      { poolSize: [3, 3], strides: [1, 1], padding: 'same' },
      { poolSize: [2, 2], strides: [2, 2], padding: 'same' },
    ] as PoolSpec[]) {
      const ym = maxPoolForward(x, spec);
      expectNoLeak('maxPoolForward', [x], () => maxPoolForward(x, spec));
      expectNoLeak('avgPoolForward', [x], () => avgPoolForward(x, spec));
      expectNoLeak('maxPoolInputGradient', [ym, x], () => maxPoolInputGradient(ym, x, ym, spec));
      expectNoLeak('avgPoolInputGradient', [ym], () => avgPoolInputGradient(ym, x.shape, spec));
      expectNoLeak('avgPoolReciprocalCounts', [], () => avgPoolReciprocalCounts(9, 11, spec));
      ym.dispose();
    }
    tf.dispose([x, k, b]);
  });
});
