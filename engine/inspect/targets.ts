// What a visualization maximises: a whole layer, one channel, or one channel's centre unit (a neuron).
import { layerMean, neuron, type Objective } from '../objectives/objective.ts';
import { layerAt, neuronAt } from '../objectives/batch.ts';
import { redirectedChannel } from '../objectives/redirected.ts';
import { UnknownLayerError } from '../shared/errors.ts';
import type { DreamModel, LayerInfo } from '../shared/model.ts';
import { FeatureRecipeError } from './recipe.ts';

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

/**
 * The objective for a target rendered alone (index undefined) or as image `index` of a batch.
 * Channels use the redirected-ReLU form, so channels silent on the grey start still get going.
 */
export function targetObjective(model: DreamModel, t: FeatureTarget, index?: number): Objective {
  if (t.channel === undefined) return index === undefined ? layerMean(t.layer) : layerAt(t.layer, index);
  if (t.neuron) return index === undefined ? neuron(t.layer, t.channel) : neuronAt(t.layer, t.channel, index);
  return redirectedChannel(model, t.layer, t.channel, index);
}

/** The layer's catalogue entry (shape, channels, ImageNet or fine-tuned); fails fast on unknown names. */
export function layerInfo(model: DreamModel, layer: string): LayerInfo {
  const infos = model.layers(model.defaultInputSize, model.defaultInputSize);
  const info = infos.find((l) => l.name === layer);
  if (info) return info;
  const stem = layer.replace(/\d+$/, '');
  throw new UnknownLayerError(layer, stem ? infos.map((l) => l.name).filter((n) => n.startsWith(stem)) : []);
}

/** Checks layer names and channel indices before any work. */
export function checkTargets(model: DreamModel, targets: readonly FeatureTarget[]): void {
  for (const t of targets) {
    const { channels } = layerInfo(model, t.layer);
    if (t.channel !== undefined && (!Number.isInteger(t.channel) || t.channel < 0 || t.channel >= channels)) {
      throw new FeatureRecipeError(`Channel ${t.channel} is out of range for layer "${t.layer}", which has ${channels} channels (0-${channels - 1}).`);
    }
  }
}
