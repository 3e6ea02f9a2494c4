// Objectives are small values: which layers they read and a differentiable scalar over those activations.
// They add, scale and negate like Lucid's, so recipes and the inspector compose them freely.
import * as tf from '@tensorflow/tfjs-core';
import type { Activations } from '../shared/model.ts';

export interface Objective {
  readonly layers: readonly string[];
  readonly describe: string;
  readonly fn: (acts: Activations) => tf.Scalar;
}

function get(acts: Activations, layer: string): tf.Tensor4D {
  const a = acts[layer];
  if (!a) throw new Error(`Objective needs layer "${layer}", which was not computed.`);
  return a;
}

/** Mean activation of a whole layer (the classic deep dream objective). */
export function layerMean(layer: string): Objective {
  return { layers: [layer], describe: layer, fn: (acts) => tf.mean(get(acts, layer)) };
}

/** Mean activation of one channel of a layer. */
export function channelMean(layer: string, channel: number): Objective {
  return {
    layers: [layer],
    describe: `${layer}:${channel}`,
    fn: (acts) => {
      const a = get(acts, layer);
      const channels = a.shape[3];
      if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
        throw new RangeError(`Channel ${channel} is out of range for layer "${layer}", which has ${channels} channels (0-${channels - 1}).`);
      }
      return tf.mean(tf.slice(a, [0, 0, 0, channel], [-1, -1, -1, 1]));
    },
  };
}

/** One unit at the centre of a channel's map (Lucid's "neuron"). */
export function neuron(layer: string, channel: number): Objective {
  return {
    layers: [layer],
    describe: `${layer}:${channel}@centre`,
    fn: (acts) => {
      const a = get(acts, layer);
      const [, h, w] = a.shape;
      return tf.sum(tf.slice(a, [0, Math.floor(h / 2), Math.floor(w / 2), channel], [-1, 1, 1, 1]));
    },
  };
}

export function scale(objective: Objective, weight: number): Objective {
  if (weight === 1) return objective;
  return {
    layers: objective.layers,
    describe: `${weight}*${objective.describe}`,
    fn: (acts) => tf.mul(objective.fn(acts), weight),
  };
}

export function negate(objective: Objective): Objective {
  return scale(objective, -1);
}

export function sum(...objectives: Objective[]): Objective {
  if (objectives.length === 0) throw new Error('An objective needs at least one term.');
  if (objectives.length === 1) return objectives[0]!;
  return {
    layers: [...new Set(objectives.flatMap((o) => o.layers))],
    describe: objectives.map((o) => o.describe).join(' + '),
    fn: (acts) => tf.addN(objectives.map((o) => o.fn(acts))),
  };
}
