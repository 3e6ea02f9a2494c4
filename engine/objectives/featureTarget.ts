// What a feature visualization maximises, as an objective of the graph alone (browser-safe, so the
// window's worker builds the same objective the engine does): a whole layer, one channel (redirected
// ReLU: silent channels still get going), or one channel's centre unit (Lucid's neuron).
import type { Graph } from '../graph/graph.ts';
import { layerAt, neuronAt } from './batch.ts';
import { layerMean, neuron, type Objective } from './objective.ts';
import { redirectedChannel } from './redirected.ts';

export interface FeatureTarget {
  layer: string;
  /** Omit for the whole layer. */
  channel?: number;
  /** The channel's centre unit instead of its mean (Lucid's neuron). */
  neuron?: boolean;
}

export function targetKey(t: FeatureTarget): string {
  if (t.channel === undefined) return t.layer;
  return `${t.layer}:${t.channel}${t.neuron ? '@centre' : ''}`;
}

/** The objective for a target rendered alone (index undefined) or as image `index` of a batch; `model.graph` absent: plain channel means. */
export function featureObjective(model: { readonly graph?: Graph | undefined }, t: FeatureTarget, index?: number): Objective {
  if (t.channel === undefined) return index === undefined ? layerMean(t.layer) : layerAt(t.layer, index);
  if (t.neuron) return index === undefined ? neuron(t.layer, t.channel) : neuronAt(t.layer, t.channel, index);
  return redirectedChannel(model, t.layer, t.channel, index);
}
