// Max and average pooling, forward and input gradient, with Keras/TF semantics (NHWC).
// tfjs's own gradients are wrong here: AvgPoolGrad divides 'same' border windows by the full window
// size (Keras divides by the valid pixels), and wasm's MaxPoolGrad misroutes windows with negative
// maxima and breaks ties inconsistently. Both gradients are therefore built from plain ops.
import * as tf from '@tensorflow/tfjs-core';
import { padAmounts, type Padding } from './padding.ts';
import { expectOutShape, transposedInput } from './layout.ts';

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
