import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { interleavePhases, interleaveZeros, padOrCrop, splitPhases, transposedPad } from './layout.ts';
import { convOutputSize, padAmounts } from './padding.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('padding', () => {
  it('computes TF output sizes and puts the odd padding pixel after', () => {
    expect(convOutputSize(299, 3, 2, 'valid')).toBe(149);
    expect(convOutputSize(35, 3, 2, 'valid')).toBe(17);
    expect(convOutputSize(17, 3, 2, 'same')).toBe(9);
    expect(padAmounts(8, 3, 2, 'same')).toEqual({ before: 0, after: 1, out: 4 });
    expect(padAmounts(17, 3, 2, 'same')).toEqual({ before: 1, after: 1, out: 9 });
    expect(padAmounts(17, 7, 1, 'same')).toEqual({ before: 3, after: 3, out: 17 });
    expect(padAmounts(9, 2, 2, 'same')).toEqual({ before: 0, after: 1, out: 5 });
    expect(padAmounts(10, 2, 2, 'same')).toEqual({ before: 0, after: 0, out: 5 });
    expect(padAmounts(11, 1, 2, 'same')).toEqual({ before: 0, after: 0, out: 6 });
    expect(padAmounts(35, 3, 2, 'valid')).toEqual({ before: 0, after: 0, out: 17 });
  });

  it('throws a clear error when the window does not fit', () => {
    expect(() => convOutputSize(2, 3, 1, 'valid')).toThrow(/does not fit/);
    expect(() => padAmounts(5, 3, 0, 'same')).toThrow(/stride/);
  });

  it('transposed padding always restores the input length', () => {
    for (const n of [1, 2, 7, 8, 9, 17, 35, 299])
      for (const k of [1, 2, 3, 5, 7])
        for (const s of [1, 2, 3])
          for (const p of ['same', 'valid'] as const) {
            if (p === 'valid' && k > n) continue;
            const [before, after] = transposedPad(n, k, s, p);
            const out = convOutputSize(n, k, s, p);
            expect(before).toBeGreaterThanOrEqual(0);
            expect(before + out * s + after - k + 1).toBe(n);
          }
  });
});

describe('layout', () => {
  it('interleaves zeros between pixels and pads or crops', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const z = interleaveZeros(x, 2, 3);
    expect(z.shape).toEqual([1, 4, 9, 1]);
    expect(Array.from(z.dataSync())).toEqual([
      1, 0, 0, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      4, 0, 0, 5, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const pc = padOrCrop(x, [1, -1], [-1, 2], 9);
    expect(pc.shape).toEqual([1, 2, 4, 1]);
    expect(Array.from(pc.dataSync())).toEqual([9, 9, 9, 9, 2, 3, 9, 9]);
    tf.dispose([x, z, pc]);
  });

  it('splits into stride phases like tf.stridedSlice and interleaves them back', () => {
    const x = tf.randomNormal([2, 6, 9, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    for (const [sh, sw] of [[2, 3], [3, 1], [1, 1]] as const) {
      const phases = splitPhases(x, sh, sw);
      phases.forEach((row, rh) =>
        row.forEach((p, rw) => {
          const ref = tf.stridedSlice(x, [0, rh, rw, 0], [2, 6, 9, 3], [1, sh, sw, 1]);
          expect(Array.from(p.dataSync())).toEqual(Array.from(ref.dataSync()));
          ref.dispose();
        }),
      );
      const back = interleavePhases(phases);
      expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
      tf.dispose([...phases.flat(), back]);
    }
    x.dispose();
  });
});
