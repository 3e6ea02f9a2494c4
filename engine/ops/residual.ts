// Small ops MobileNetV2 adds to Inception's set: ReLU6, residual Add, and ZeroPadding2D, with their
// input gradients (each a mask, a copy or a slice of dy).
import * as tf from '@tensorflow/tfjs-core';

/** dy where 0 < y < max (y is the clipped ReLU's output: y = max exactly where the input was >= max). */
export function clippedReluInputGradient(dy: tf.Tensor4D, y: tf.Tensor4D, max: number): tf.Tensor4D {
  return tf.tidy(() => tf.mul(dy, tf.mul(tf.step(y, 0), tf.step(tf.sub(max, y), 0))));
}

/** min(max(x, 0), max): tf.relu6 for 6, a clip otherwise. */
export function clippedRelu(x: tf.Tensor4D, max: number): tf.Tensor4D {
  return max === 6 ? tf.relu6(x) : tf.clipByValue(x, 0, max);
}

/** The sum's gradient reaches every addend unchanged; clones, so each owner may dispose its own. */
export function addInputGradients(dy: tf.Tensor4D, inputs: number): tf.Tensor4D[] {
  if (!(inputs >= 1)) throw new Error(`addInputGradients: need at least one input, got ${inputs}`);
  return Array.from({ length: inputs }, () => tf.clone(dy));
}

/** Rows [top, bottom] and columns [left, right] of zeros, as Keras ZeroPadding2D adds them. */
export type ZeroPads = readonly [readonly [number, number], readonly [number, number]];

export function zeroPadForward(x: tf.Tensor4D, pads: ZeroPads): tf.Tensor4D {
  return tf.pad(x, [[0, 0], [pads[0][0], pads[0][1]], [pads[1][0], pads[1][1]], [0, 0]]);
}

/** The padding's gradient is dy without the padded border. */
export function zeroPadInputGradient(dy: tf.Tensor4D, pads: ZeroPads): tf.Tensor4D {
  const [n, h, w, c] = dy.shape;
  const height = h - pads[0][0] - pads[0][1];
  const width = w - pads[1][0] - pads[1][1];
  if (height <= 0 || width <= 0) throw new Error(`zeroPadInputGradient: dy [${dy.shape.join(',')}] is smaller than its padding`);
  return tf.slice(dy, [0, pads[0][0], pads[1][0], 0], [n, height, width, c]);
}
