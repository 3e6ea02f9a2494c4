// One class's logit (the classifier's score before the softmax), mean over the batch: a class term
// once its name is resolved to an index on the model's head. Browser-safe: the engine builds class
// objectives with it, and the window's worker builds the same from the resolved index it is sent.
import * as tf from '@tensorflow/tfjs-core';
import type { Objective } from './objective.ts';

/** A class term resolved against a model's head: what crosses to the window. */
export interface ClassLogit {
  /** The node whose output holds the logits, [N,1,1,units]. */
  layer: string;
  /** The index in that output (labels' offset included). */
  logit: number;
  weight: number;
  /** The class in words, for the objective's description. */
  label: string;
}

export function logitObjective(c: ClassLogit): Objective {
  return {
    layers: [c.layer],
    describe: `${c.weight === 1 ? '' : `${c.weight}*`}class:${c.label}`,
    fn: (acts) => {
      const a = acts[c.layer];
      if (!a) throw new Error(`Objective needs layer "${c.layer}", which was not computed.`);
      const logit = tf.mean(tf.slice(a, [0, 0, 0, c.logit], [-1, -1, -1, 1])) as tf.Scalar;
      return c.weight === 1 ? logit : tf.mul(logit, c.weight);
    },
  };
}
