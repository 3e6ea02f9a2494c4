// Colour handling shared by the parameterisations: Lucid's decorrelated colour space and the
// sigmoid that keeps every pixel valid, mapped onto the model's input range.
import * as tf from '@tensorflow/tfjs-core';

/** Square root of ImageNet's colour correlation (Lucid's color_correlation_svd_sqrt). */
export const COLOR_CORRELATION_SVD_SQRT: readonly (readonly [number, number, number])[] = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];

function maxColumnNorm(m: readonly (readonly number[])[]): number {
  return Math.max(...[0, 1, 2].map((j) => Math.hypot(...m.map((row) => row[j]!))));
}

/** Lucid's normalised matrix, transposed so that rgb = t @ this for row vectors t. */
export function decorrelationMatrix(): number[][] {
  const norm = maxColumnNorm(COLOR_CORRELATION_SVD_SQRT);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => COLOR_CORRELATION_SVD_SQRT[j]![i]! / norm));
}

function invert3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

function mixColours(t: tf.Tensor4D, m: number[][]): tf.Tensor4D {
  const [b, h, w] = t.shape;
  return tf.reshape(tf.matMul(tf.reshape(t, [-1, 3]), tf.tensor2d(m)), [b, h, w, 3]);
}

/** Unconstrained values → valid pixels in `range` (Lucid's to_valid_rgb with sigmoid). */
export function toValidImage(t: tf.Tensor4D, range: readonly [number, number], decorrelate: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const [lo, hi] = range;
    const rgb = decorrelate ? mixColours(t, decorrelationMatrix()) : t;
    return tf.add(tf.mul(tf.sigmoid(rgb), hi - lo), lo);
  });
}

/** The inverse of toValidImage, for starting from a picture; pixels at the range's ends are nudged inside it. */
export function fromValidImage(x: tf.Tensor4D, range: readonly [number, number], decorrelate: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const [lo, hi] = range;
    const p = tf.clipByValue(tf.div(tf.sub(x, lo), hi - lo), 1e-4, 1 - 1e-4);
    const logit = tf.log(tf.div(p, tf.sub(1, p))) as tf.Tensor4D;
    return decorrelate ? mixColours(logit, invert3(decorrelationMatrix())) : logit;
  });
}
