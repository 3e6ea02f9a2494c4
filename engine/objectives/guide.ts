// Guided dreaming, as in Google's deepdream notebook: each position's feature vector is pushed toward
// the guide image's feature that it already matches best (largest dot product), so the dream borrows
// what the network sees in the guide instead of amplifying whatever is there.
import * as tf from '@tensorflow/tfjs-core';
import type { Activations } from '../shared/model.ts';
import type { Objective } from './objective.ts';

/** The guide's features at one layer, one row per position: [positions, channels]. */
export type GuideFeatures = tf.Tensor2D;

/** Turns a layer's activations [1, h, w, c] into guide features [h*w, c] (kept; the caller disposes). */
export function guideFeatures(acts: tf.Tensor4D): GuideFeatures {
  const [, h, w, c] = acts.shape;
  return tf.keep(tf.reshape(acts, [h * w, c]));
}

/**
 * Mean over positions of x · g*, where g* is the guide feature with the largest dot product with x.
 * The choice of g* carries no gradient (argMax), so d/dx is g* / positions: the notebook's update.
 */
export function guideMatch(layer: string, guide: GuideFeatures): Objective {
  return {
    layers: [layer],
    describe: `guide@${layer}`,
    fn: (acts: Activations) => {
      const a = acts[layer];
      if (!a) throw new Error(`Objective needs layer "${layer}", which was not computed.`);
      const [, h, w, c] = a.shape;
      if (guide.shape[1] !== c) throw new RangeError(`Guide features have ${guide.shape[1]} channels; layer "${layer}" has ${c}.`);
      const x = tf.reshape(a, [h * w, c]);
      // The matches are read out as plain numbers: a constant to the tape, so no gradient flows
      // through argMax or gather's indices (tfjs refuses integer gradients there).
      const match = tf.argMax(tf.matMul(x, guide, false, true), 1);
      const best = tf.gather(guide, tf.tensor1d(match.dataSync() as Int32Array, 'int32'));
      return tf.mean(tf.sum(tf.mul(x, best), 1));
    },
  };
}

/** How well an image's features match the guide: the objective's value, without gradients. */
export function guideScore(acts: tf.Tensor4D, guide: GuideFeatures): number {
  return tf.tidy(() => guideMatch('x', guide).fn({ x: acts }).dataSync()[0]!);
}
