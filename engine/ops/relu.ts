// ReLU input gradient from the post-activation output (the executor keeps outputs, not inputs).
import * as tf from '@tensorflow/tfjs-core';

/** dy * (y > 0): y is the ReLU output, so y > 0 exactly where the input was > 0; at 0 the gradient is 0. */
export function reluInputGradient(dy: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.mul(dy, tf.step(y, 0)));
}
