// Max and average pooling, forward and input gradient, with Keras/TF semantics (NHWC).
// tfjs's own gradients are wrong here: AvgPoolGrad divides 'same' border windows by the full window
// size (Keras divides by the valid pixels), and wasm's MaxPoolGrad misroutes windows with negative
// maxima and breaks ties inconsistently. Both gradients are therefore built from plain ops.
import * as tf from '@tensorflow/tfjs-core';
import { padAmounts, type Padding } from './padding.ts';
import { expectOutShape, interleavePhases, padOrCrop, splitPhases, transposedInput } from './layout.ts';

export interface PoolSpec {
  poolSize: [number, number];
  strides: [number, number];
  padding: Padding;
}

/** tf.maxPool: padded pixels never win (verified on wasm with all-negative inputs). */
export function maxPoolForward(x: tf.Tensor4D, spec: PoolSpec): tf.Tensor4D {
  return tf.maxPool(x, spec.poolSize, spec.strides, spec.padding);
}

/** tf.avgPool: divides 'same' border windows by their valid-pixel count, as Keras does (verified). */
export function avgPoolForward(x: tf.Tensor4D, spec: PoolSpec): tf.Tensor4D {
  return tf.avgPool(x, spec.poolSize, spec.strides, spec.padding);
}

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

/** Per output pixel, how many input pixels its window covers along one axis. */
function validCounts(n: number, k: number, stride: number, padding: Padding): number[] {
  const { before, out } = padAmounts(n, k, stride, padding);
  return Array.from({ length: out }, (_, o) => {
    const start = o * stride - before;
    return Math.min(start + k, n) - Math.max(start, 0);
  });
}

/**
 * 1 / (valid pixels in each window), shape [1,oh,ow,1]: the divisor Keras's average pooling uses.
 * Built on the JS side (tiny), so no cache is needed.
 */
export function avgPoolReciprocalCounts(inH: number, inW: number, spec: PoolSpec): tf.Tensor4D {
  const { data, height, width } = reciprocalCountData(inH, inW, spec);
  return tf.tensor4d(data, [1, height, width, 1]);
}

/** The same divisors as plain data, row-major [height, width] (the ONNX route bakes them into its graph). */
export function reciprocalCountData(inH: number, inW: number, spec: PoolSpec): { data: Float32Array; height: number; width: number } {
  const rows = validCounts(inH, spec.poolSize[0], spec.strides[0], spec.padding);
  const cols = validCounts(inW, spec.poolSize[1], spec.strides[1], spec.padding);
  const data = new Float32Array(rows.length * cols.length);
  rows.forEach((a, i) => cols.forEach((b, j) => (data[i * cols.length + j] = 1 / (a * b))));
  return { data, height: rows.length, width: cols.length };
}

/**
 * Border-correct gradient of Keras average pooling: each window spreads dy / (its valid count)
 * evenly over its pixels. That is the transpose of a sum-pool: zero-insert for the stride, then a
 * stride-1 depthwise conv with a ones kernel and TF-aligned explicit padding.
 */
export function avgPoolInputGradient(
  dy: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  spec: PoolSpec,
): tf.Tensor4D {
  const [, h, w, c] = inputShape;
  const [kh, kw] = spec.poolSize;
  expectOutShape('avgPoolInputGradient', dy, inputShape, spec.poolSize, spec.strides, spec.padding, c);
  return tf.tidy(() => {
    const scaled =
      spec.padding === 'valid' ? tf.div(dy, kh * kw) : tf.mul(dy, avgPoolReciprocalCounts(h, w, spec));
    const { x, pad } = transposedInput(scaled as tf.Tensor4D, inputShape, [kh, kw], spec.strides, spec.padding);
    return tf.depthwiseConv2d(x, tf.ones([kh, kw, c, 1]) as tf.Tensor4D, 1, pad);
  });
}
