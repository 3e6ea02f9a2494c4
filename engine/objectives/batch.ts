// Objectives on one image of a batch (Lucid's batch=i), so one optimisation can render several
// channels side by side, each image chasing its own channel.
import * as tf from '@tensorflow/tfjs-core';
import type { Activations } from '../shared/model.ts';
import type { Objective } from './objective.ts';

function element(acts: Activations, layer: string, index: number, channel: number): tf.Tensor4D {
  const a = acts[layer];
  if (!a) throw new Error(`Objective needs layer "${layer}", which was not computed.`);
  const [batch, , , channels] = a.shape;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new RangeError(`Channel ${channel} is out of range for layer "${layer}", which has ${channels} channels (0-${channels - 1}).`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= batch) throw new RangeError(`Batch element ${index} is out of range for a batch of ${batch}.`);
  return tf.slice(a, [index, 0, 0, channel], [1, -1, -1, 1]);
}

/** Mean activation of one channel in one image of the batch. */
export function channelAt(layer: string, channel: number, index: number): Objective {
  return { layers: [layer], describe: `${layer}:${channel}[${index}]`, fn: (acts) => tf.mean(element(acts, layer, index, channel)) };
}

/** The centre unit of one channel in one image of the batch. */
export function neuronAt(layer: string, channel: number, index: number): Objective {
  return {
    layers: [layer],
    describe: `${layer}:${channel}@centre[${index}]`,
    fn: (acts) => {
      const a = element(acts, layer, index, channel);
      const [, h, w] = a.shape;
      return tf.sum(tf.slice(a, [0, Math.floor(h / 2), Math.floor(w / 2), 0], [1, 1, 1, 1]));
    },
  };
}

/** Mean activation of a whole layer in one image of the batch. */
export function layerAt(layer: string, index: number): Objective {
  return {
    layers: [layer],
    describe: `${layer}[${index}]`,
    fn: (acts) => {
      const a = acts[layer];
      if (!a) throw new Error(`Objective needs layer "${layer}", which was not computed.`);
      if (!Number.isInteger(index) || index < 0 || index >= a.shape[0]) throw new RangeError(`Batch element ${index} is out of range for a batch of ${a.shape[0]}.`);
      return tf.mean(tf.slice(a, [index, 0, 0, 0], [1, -1, -1, -1]));
    },
  };
}
