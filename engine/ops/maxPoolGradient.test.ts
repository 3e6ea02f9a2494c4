// The loop kernel must route exactly as the op-based reference (ties, padding, negative windows).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.ts';
import { maxPoolBackward, maxPoolInputGradientLoop } from './maxPoolGradient.ts';
import { maxPoolForward, type PoolSpec } from './pool.ts';
import { maxPoolInputGradient } from './maxPoolPhases.ts';
import { describeReport, gradCheck, weightedSum } from '../../tests/helpers/gradcheck.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const specs: PoolSpec[] = [
  { poolSize: [3, 3], strides: [2, 2], padding: 'valid' },
  { poolSize: [3, 3], strides: [1, 1], padding: 'same' },
  { poolSize: [2, 2], strides: [2, 2], padding: 'same' },
  { poolSize: [3, 3], strides: [2, 2], padding: 'same' },
];

describe('maxPoolInputGradientLoop', () => {
  it.each(specs.map((s) => [`${s.poolSize.join('x')} s${s.strides[0]} ${s.padding}`, s] as const))('%s equals the op-based gradient, ties and negatives included', (_, spec) => {
    // Rounded values make ties common; an offset makes many windows all-negative.
    const x = tf.tidy(() => tf.sub(tf.round(tf.mul(tf.randomUniform([2, 9, 11, 4], 0, 1, 'float32', 5), 4)), 3)) as tf.Tensor4D;
    const y = maxPoolForward(x, spec);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 9) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const ours = maxPoolInputGradientLoop(dy, x, spec);
    expect(tf.memory().numTensors).toBe(before + 1);
    const ref = maxPoolInputGradient(dy, x, y, spec);
    // Same routing; overlapping windows may add their shares in another order (float rounding only).
    const a = ours.dataSync();
    const b = ref.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    tf.dispose([x, y, dy, ours, ref]);
  });

  it('agrees with finite differences on tie-free data', () => {
    const spec = specs[0]!;
    const x = tf.randomNormal([1, 9, 11, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = maxPoolForward(x, spec);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 4) as tf.Tensor4D;
    const g = maxPoolInputGradientLoop(w, x, spec);
    const report = gradCheck(weightedSum((t) => maxPoolForward(t, spec), w), x, g, { eps: 1e-3 });
    expect(report.ok, describeReport(report)).toBe(true);
    tf.dispose([x, y, w, g]);
  });

  // The loop (CPU backends) and the tensor-op form (GPU backends) both equal tf.grad where windows
  // have one maximum; tf.grad runs on the cpu backend (wasm's MaxPoolGrad misroutes negative maxima).
  it.each(specs.map((s) => [`${s.poolSize.join('x')} s${s.strides[0]} ${s.padding}`, s] as const))('%s: loop and tensor-op form both equal tf.grad on tie-free data', async (_, spec) => {
    await initBackend('cpu');
    try {
      const x = tf.randomNormal([2, 9, 11, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
      const y = maxPoolForward(x, spec);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 7) as tf.Tensor4D;
      const reference = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, spec.poolSize, spec.strides, spec.padding), dy)))(x);
      const loop = maxPoolInputGradientLoop(dy, x, spec);
      const phases = maxPoolInputGradient(dy, x, y, spec);
      const routed = maxPoolBackward(dy, x, y, spec);
      for (const ours of [loop, phases, routed]) {
        const a = ours.dataSync();
        const b = reference.dataSync();
        let maxDiff = 0;
        for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
        expect(maxDiff).toBeLessThan(1e-5);
      }
      tf.dispose([x, y, dy, reference, loop, phases, routed]);
    } finally {
      await initBackend('wasm');
    }
  });
});
