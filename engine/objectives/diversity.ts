// Lucid's diversity: the mean cosine similarity between the batch images' Gram matrices at a layer.
// It measures sameness, so recipes subtract it (sum(channel, scale(diversity(layer), -w))).
import * as tf from '@tensorflow/tfjs-core';
import type { Objective } from './objective.ts';

export function diversity(layer: string): Objective {
  return {
    layers: [layer],
    describe: `diversity(${layer})`,
    fn: (acts) => {
      const a = acts[layer];
      if (!a) throw new Error(`Objective needs layer "${layer}", which was not computed.`);
      const [b, h, w, c] = a.shape;
      if (b < 2) return tf.scalar(0);
      const flat = tf.reshape(a, [b, h * w, c]);
      const grams = tf.reshape(tf.matMul(flat, flat, true, false), [b, c * c]);
      // l2_normalize with Lucid's epsilon, written out so it differentiates everywhere.
      const unit = tf.div(grams, tf.sqrt(tf.maximum(tf.sum(tf.square(grams), 1, true), 1e-10)));
      const similarity = tf.matMul(unit, unit, false, true); // [b, b] cosines
      // Sum over pairs i != j, divided by the batch size: (total - trace) / b.
      const offDiagonal = tf.sub(tf.sum(similarity), tf.sum(tf.mul(similarity, tf.eye(b))));
      return tf.div(offDiagonal, b) as tf.Scalar;
    },
  };
}
