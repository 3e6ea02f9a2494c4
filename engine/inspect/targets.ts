// What a visualization maximises: a whole layer, one channel, or one channel's centre unit (a neuron).
import type { Objective } from '../objectives/objective.ts';
import { featureObjective, type FeatureTarget } from '../objectives/featureTarget.ts';
import { UnknownLayerError } from '../shared/errors.ts';
import type { DreamModel, LayerInfo } from '../shared/model.ts';
import { FeatureRecipeError } from './recipe.ts';

export { targetKey, type FeatureTarget } from '../objectives/featureTarget.ts';

/**
 * The objective for a target rendered alone (index undefined) or as image `index` of a batch.
 * Channels use the redirected-ReLU form, so channels silent on the grey start still get going.
 */
export function targetObjective(model: DreamModel, t: FeatureTarget, index?: number): Objective {
  return featureObjective(model, t, index);
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
