// The max-pool gradient in tensor ops (stride phases): the form GPU backends run (webgl, webgpu),
// where the loop in maxPoolGradient.ts would read every pool's input back to the CPU. It is also the
// independent route the tests check that loop against.
import * as tf from '@tensorflow/tfjs-core';
import { padAmounts } from './padding.ts';
import { expectOutShape, interleavePhases, padOrCrop, splitPhases } from './layout.ts';
import type { PoolSpec } from './pool.ts';

/**
 * Routes each dy pixel to its window's arg-max, the first maximum in row-major window order on
 * ties (as TF and PyTorch CPU do). y must be maxPoolForward(x, spec). Works in stride phases: the
 * padded x is split into stride² phase grids, where every window offset is a plain shifted slice;
 * `carry` holds the dy not yet routed, so a later tie in the same window gets nothing.
 */
export function maxPoolInputGradient(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, spec: PoolSpec): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [kh, kw] = spec.poolSize;
  const [sh, sw] = spec.strides;
  expectOutShape('maxPoolInputGradient', dy, x.shape, spec.poolSize, spec.strides, spec.padding, c);
  expectOutShape('maxPoolInputGradient (y)', y, x.shape, spec.poolSize, spec.strides, spec.padding, c);
  const r = padAmounts(h, kh, sh, spec.padding);
  const q = padAmounts(w, kw, sw, spec.padding);
  // Phase grid size: every window offset d = a*s + phase, a <= (k-1)/s, reads rows a .. a+out-1.
  const gh = Math.floor((kh - 1) / sh) + r.out;
  const gw = Math.floor((kw - 1) / sw) + q.out;
  return tf.tidy(() => {
    // -Infinity padding can never equal a window's max, so padding never takes a gradient.
    const xg = padOrCrop(x, [r.before, gh * sh - h - r.before], [q.before, gw * sw - w - q.before], -Infinity);
    const phases = splitPhases(xg, sh, sw);
    const acc: (tf.Tensor4D | null)[][] = phases.map((row) => row.map(() => null));
    const zeros = tf.zerosLike(dy);
    let carry: tf.Tensor4D = dy;
    for (let di = 0; di < kh; di++) {
      for (let dj = 0; dj < kw; dj++) {
        const [rh, ah, rw, aw] = [di % sh, Math.floor(di / sh), dj % sw, Math.floor(dj / sw)];
        const view = tf.slice(phases[rh]?.[rw] as tf.Tensor4D, [0, ah, aw, 0], [n, r.out, q.out, c]);
        const part = tf.where(tf.equal(view, y), carry, zeros);
        carry = tf.sub(carry, part) as tf.Tensor4D;
        const placed = tf.pad(part, [[0, 0], [ah, gh - ah - r.out], [aw, gw - aw - q.out], [0, 0]]);
        const prev = acc[rh]?.[rw];
        (acc[rh] as (tf.Tensor4D | null)[])[rw] = prev ? (tf.add(prev, placed) as tf.Tensor4D) : placed;
      }
    }
    const grid = acc.map((row) => row.map((t) => t ?? (tf.zeros([n, gh, gw, c]) as tf.Tensor4D)));
    const full = interleavePhases(grid);
    return padOrCrop(full, [-r.before, h + r.before - gh * sh], [-q.before, w + q.before - gw * sw]);
  });
}
