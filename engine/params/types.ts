// The one interface every image parameterisation offers the feature-visualization loop.
import type * as tf from '@tensorflow/tfjs-core';

export interface ImageParam {
  /** What Adam updates; image() is differentiable with respect to each of them. */
  readonly variables: tf.Variable[];
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  /** The images, [batch, height, width, 3] in the model's input range. */
  image(): tf.Tensor4D;
  dispose(): void;
}

export interface ParamOptions {
  batch?: number;
  height: number;
  width: number;
  /** The model's input range; the sigmoid maps onto it. */
  range: readonly [number, number];
  /** Interpret colours in Lucid's decorrelated (ImageNet PCA) space (default true). */
  decorrelate?: boolean;
  /** One seed per batch element, so an element's start does not depend on its neighbours. */
  seeds?: readonly number[];
  /** Standard deviation of the initial noise (Lucid: 0.01). */
  sd?: number;
}
