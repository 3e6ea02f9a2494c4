// BatchNormalization folded into the convolution before it (inference only):
// s = gamma / sqrt(var + eps); K' = K * s per output channel; bias' = (bias - mean) * s + beta.
import * as tf from '@tensorflow/tfjs-core';

export interface BatchNormParams {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  epsilon: number;
  beta: tf.Tensor1D | null;
  gamma: tf.Tensor1D | null;
}

/** The per-channel affine map a BatchNormalization applies at inference. */
export function batchNormAffine(bn: BatchNormParams): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  return tf.tidy(() => {
    let scale = tf.rsqrt(tf.add(bn.variance, bn.epsilon)) as tf.Tensor1D;
    if (bn.gamma) scale = tf.mul(scale, bn.gamma) as tf.Tensor1D;
    let shift = tf.neg(tf.mul(bn.mean, scale)) as tf.Tensor1D;
    if (bn.beta) shift = tf.add(shift, bn.beta) as tf.Tensor1D;
    return { scale, shift };
  });
}

export function foldBatchNorm(
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  bn: BatchNormParams,
): { kernel: tf.Tensor4D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const { scale, shift } = batchNormAffine(bn);
    const folded = tf.mul(kernel, scale) as tf.Tensor4D; // broadcasts over the last (output) axis
    const newBias = bias ? tf.add(tf.mul(bias, scale), shift) : shift;
    return { kernel: folded, bias: newBias as tf.Tensor1D };
  });
}
