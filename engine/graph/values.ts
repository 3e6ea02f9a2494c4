// What the executors take and give: named activations, a scalar objective of them, and a value with
// its input gradient. The model interface (shared/model.ts) is built from these.
import type * as tf from '@tensorflow/tfjs-core';

export type Activations = Record<string, tf.Tensor4D>;

/** A scalar function of named activations; tfjs autodiff differentiates it (it is small: means, slices). */
export type ObjectiveFn = (acts: Activations) => tf.Scalar;

export interface ValueAndGradient {
  value: number;
  /** d(objective)/d(input), same shape as the input; owned by the caller. */
  gradient: tf.Tensor4D;
}
