// Channel concatenation (Inception "mixed" blocks) passes each branch its own slice of dy.
import * as tf from '@tensorflow/tfjs-core';

/** Splits dy along the last (channel) axis into the branches' gradients, in concat order. */
export function concatInputGradients(dy: tf.Tensor4D, channelSizes: readonly number[]): tf.Tensor4D[] {
  const total = channelSizes.reduce((a, b) => a + b, 0);
  if (channelSizes.some((c) => !(c > 0)) || total !== dy.shape[3]) {
    throw new Error(`concatInputGradients: channel sizes [${channelSizes.join(',')}] do not sum to dy's ${dy.shape[3]} channels`);
  }
  if (channelSizes.length === 1) return [tf.clone(dy)];
  return tf.split(dy, [...channelSizes], 3);
}
