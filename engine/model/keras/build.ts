// Keras functional topology (as TF.js layers models store it) → our Graph, with BN folded and ReLU fused.
// Image-trunk layers are imported by trunk.ts, classifier-head layers by head.ts.
import type * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from '../../shared/errors.ts';
import type { Graph } from '../../graph/graph.ts';
import { GraphBuilder, type KerasLayer } from './builder.ts';
import { classifierOf, HEAD_SUPPORTED, headLayer, isHeadLayer } from './head.ts';
import { TRUNK_LAYERS } from './trunk.ts';

export const SUPPORTED_CLASSES = [...Object.keys(TRUNK_LAYERS), ...HEAD_SUPPORTED];

function kerasModel(topology: unknown, file: string): { layers: KerasLayer[]; outputs: string[] } {
  type Config = { class_name?: string; config?: { layers?: unknown; output_layers?: unknown } };
  const t = topology as { model_config?: Config } & Config;
  const cfg = t.model_config ?? t;
  if (!cfg?.config || !Array.isArray(cfg.config.layers)) {
    throw new ModelLoadError(file, 'modelTopology has no layer list (expected a Keras functional model saved by TF.js).');
  }
  if (cfg.class_name !== 'Model' && cfg.class_name !== 'Functional') {
    throw new ModelLoadError(file, `model class "${String(cfg.class_name)}" is not supported; save the model as a Keras functional model.`);
  }
  const layers = cfg.config.layers as KerasLayer[];
  const out = cfg.config.output_layers;
  const outputs = Array.isArray(out) ? out.map((o) => String((o as unknown[])[0])) : [layers.at(-1)?.name ?? ''];
  return { layers, outputs };
}

/** Builds the graph; `weights` are consumed (kept in the graph or disposed). */
export function buildKerasGraph(topology: unknown, weights: tf.NamedTensorMap, file: string): Graph {
  let b: GraphBuilder | undefined;
  try {
    const { layers, outputs } = kerasModel(topology, file);
    b = new GraphBuilder(layers, weights, file);
    return buildLayers(b, layers, outputs, file);
  } catch (err) {
    // A refused model leaves no tensors: the decoded weights and whatever was folded from them.
    if (b) b.abandon();
    else for (const t of Object.values(weights)) t.dispose();
    throw err;
  }
}

function buildLayers(b: GraphBuilder, layers: KerasLayer[], outputs: string[], file: string): Graph {
  for (const layer of layers) {
    const inputs = b.inputsOf(layer);
    if (!inputs) continue; // downstream of a skipped head layer
    if (isHeadLayer(b, layer, inputs)) {
      headLayer(b, layer, inputs);
      continue;
    }
    const importer = Object.hasOwn(TRUNK_LAYERS, layer.class_name) ? TRUNK_LAYERS[layer.class_name] : undefined;
    if (!importer) {
      throw new ModelLoadError(
        file,
        `layer "${layer.name}" has class ${layer.class_name}, which Reverie cannot differentiate yet (supported: ${SUPPORTED_CLASSES.join(', ')}).`,
      );
    }
    const single = inputs[0];
    const target = b.fusable(layer, inputs) && (single?.op === 'conv' || single?.op === 'depthwise') && !single.relu ? single : undefined;
    importer({ b, layer, cfg: layer.config, file, base: b.base(layer, inputs), single, target });
  }
  return b.finish(classifierOf(b, layers, outputs));
}
