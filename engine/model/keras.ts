// Keras functional topology (as TF.js layers models store it) → our Graph, with BN folded and ReLU fused.
import * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from './types.ts';
import { batchNormAffine, foldBatchNorm } from './fold.ts';
import type { Padding } from '../ops/padding.ts';
import type { Graph, GraphNode } from './graph.ts';

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

/** Classes after the image trunk: not dreamable, not executed. */
const HEAD_CLASSES = new Set(['Flatten', 'Dense', 'Dropout', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Softmax', 'Reshape']);
export const SUPPORTED_CLASSES = ['InputLayer', 'Conv2D', 'BatchNormalization', 'Activation', 'ReLU', 'MaxPooling2D', 'AveragePooling2D', 'Concatenate'];

function kerasLayers(topology: unknown, file: string): KerasLayer[] {
  const t = topology as { model_config?: { class_name?: string; config?: { layers?: unknown } }; class_name?: string; config?: { layers?: unknown } };
  const cfg = t.model_config ?? t;
  if (!cfg?.config || !Array.isArray(cfg.config.layers)) {
    throw new ModelLoadError(file, 'modelTopology has no layer list (expected a Keras functional model saved by TF.js).');
  }
  if (cfg.class_name !== 'Model' && cfg.class_name !== 'Functional') {
    throw new ModelLoadError(file, `model class "${String(cfg.class_name)}" is not supported; save the model as a Keras functional model.`);
  }
  return cfg.config.layers as KerasLayer[];
}

function inboundNames(layer: KerasLayer, file: string): string[] {
  if (layer.inbound_nodes.length === 0) return [];
  if (layer.inbound_nodes.length > 1) {
    throw new ModelLoadError(file, `layer "${layer.name}" is shared (called ${layer.inbound_nodes.length} times); shared layers are not supported.`);
  }
  return (layer.inbound_nodes[0] as unknown[][]).map((entry) => String(entry[0]));
}

function pair(v: unknown): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  return [Number(a[0]), Number(a[1])];
}

/** Builds the graph; `weights` are consumed (kept in the graph or disposed). */
export function buildKerasGraph(topology: unknown, weights: tf.NamedTensorMap, file: string): Graph {
  const layers = kerasLayers(topology, file);
  const weight = (layer: string, param: string, required: boolean): tf.Tensor | null => {
    const key = Object.keys(weights).find((k) => k === `${layer}/${param}` || k.endsWith(`/${layer}/${param}`) || k === `${layer}/${param}:0`);
    if (!key) {
      if (required) throw new ModelLoadError(file, `weight "${layer}/${param}" is missing from the weights manifest.`);
      return null;
    }
    return weights[key]!;
  };

  const nodes: GraphNode[] = [];
  const byName = new Map<string, GraphNode>();
  const fusedInto = new Map<string, string>();
  const skipped: string[] = [];
  const consumers = new Map<string, number>();
  for (const l of layers) for (const n of inboundNames(l, file)) consumers.set(n, (consumers.get(n) ?? 0) + 1);
  // Resolves a Keras name to the node now carrying it (fusion renames nodes).
  const resolve = (name: string): GraphNode | undefined => byName.get(fusedInto.get(name) ?? name);
  const add = (node: GraphNode): void => {
    nodes.push(node);
    byName.set(node.name, node);
  };
  const rename = (node: GraphNode, newName: string): void => {
    byName.delete(node.name);
    for (const old of node.layers) fusedInto.set(old, newName);
    node.name = newName;
    node.layers.push(newName);
    byName.set(newName, node);
    fusedInto.delete(newName);
  };

  for (const layer of layers) {
    const cls = layer.class_name;
    const cfg = layer.config;
    const trainable = cfg['trainable'] !== false;
    const inputNames = inboundNames(layer, file);
    if (HEAD_CLASSES.has(cls) || inputNames.some((n) => skipped.includes(n))) {
      skipped.push(layer.name);
      continue;
    }
    const inputs = inputNames.map((n) => {
      const node = resolve(n);
      if (!node) throw new ModelLoadError(file, `layer "${layer.name}" takes input "${n}", which is not defined before it.`);
      return node;
    });
    const base = { name: layer.name, inputs: inputs.map((n) => n.name), layers: [layer.name], trainable };
    const single = inputs[0];
    // A chain may fuse into its input only where nothing else reads the intermediate value.
    const fusable = single !== undefined && inputs.length === 1 && consumers.get(inputNames[0]!) === 1;

    switch (cls) {
      case 'InputLayer':
        add({ ...base, op: 'input' });
        break;
      case 'Conv2D': {
        const dilation = pair(cfg['dilation_rate'] ?? 1);
        if (dilation[0] !== 1 || dilation[1] !== 1) throw new ModelLoadError(file, `layer "${layer.name}" uses dilation ${dilation.join('x')}; only 1 is supported.`);
        if (cfg['data_format'] === 'channels_first') throw new ModelLoadError(file, `layer "${layer.name}" is channels_first; only channels_last is supported.`);
        const activation = String(cfg['activation'] ?? 'linear');
        if (activation !== 'linear' && activation !== 'relu') {
          throw new ModelLoadError(file, `layer "${layer.name}" uses activation "${activation}"; supported: linear, relu.`);
        }
        const kernel = weight(layer.name, 'kernel', true) as tf.Tensor4D;
        const bias = cfg['use_bias'] === false ? null : (weight(layer.name, 'bias', true) as tf.Tensor1D);
        const spec = { strides: pair(cfg['strides'] ?? 1), padding: String(cfg['padding']) as Padding };
        add({ ...base, op: 'conv', kernel, bias, spec, relu: activation === 'relu' });
        break;
      }
      case 'BatchNormalization': {
        const axis = Number(cfg['axis'] ?? -1);
        if (axis !== -1 && axis !== 3) throw new ModelLoadError(file, `layer "${layer.name}" normalises axis ${axis}; only the channel axis is supported.`);
        const bn = {
          mean: weight(layer.name, 'moving_mean', true) as tf.Tensor1D,
          variance: weight(layer.name, 'moving_variance', true) as tf.Tensor1D,
          epsilon: Number(cfg['epsilon'] ?? 1e-3),
          beta: cfg['center'] === false ? null : (weight(layer.name, 'beta', true) as tf.Tensor1D),
          gamma: cfg['scale'] === false ? null : (weight(layer.name, 'gamma', true) as tf.Tensor1D),
        };
        if (fusable && single.op === 'conv' && !single.relu) {
          // The unfolded kernel and bias stay in `weights` and are disposed with the rest below.
          const folded = foldBatchNorm(single.kernel, single.bias, bn);
          Object.assign(single, { kernel: folded.kernel, bias: folded.bias });
          single.trainable ||= trainable;
          rename(single, layer.name);
        } else {
          add({ ...base, op: 'affine', ...batchNormAffine(bn) });
        }
        break;
      }
      case 'Activation':
      case 'ReLU': {
        const activation = cls === 'ReLU' ? 'relu' : String(cfg['activation']);
        if (cls === 'ReLU' && (cfg['max_value'] != null || Number(cfg['negative_slope'] ?? 0) !== 0 || Number(cfg['threshold'] ?? 0) !== 0)) {
          throw new ModelLoadError(file, `layer "${layer.name}" is a clipped or leaky ReLU; only plain ReLU is supported.`);
        }
        if (activation === 'linear') {
          rename(single!, layer.name);
        } else if (activation !== 'relu') {
          throw new ModelLoadError(file, `layer "${layer.name}" uses activation "${activation}"; supported: linear, relu.`);
        } else if (fusable && single.op === 'conv' && !single.relu) {
          single.relu = true;
          single.trainable ||= trainable;
          rename(single, layer.name);
        } else {
          add({ ...base, op: 'relu' });
        }
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const poolSize = pair(cfg['pool_size'] ?? 2);
        const spec = { poolSize, strides: pair(cfg['strides'] ?? poolSize), padding: String(cfg['padding'] ?? 'valid') as Padding };
        add({ ...base, op: cls === 'MaxPooling2D' ? 'maxpool' : 'avgpool', spec });
        break;
      }
      case 'Concatenate': {
        const axis = Number(cfg['axis'] ?? -1);
        if (axis !== -1 && axis !== 3) throw new ModelLoadError(file, `layer "${layer.name}" concatenates along axis ${axis}; only channels are supported.`);
        add({ ...base, op: 'concat' });
        break;
      }
      default:
        throw new ModelLoadError(
          file,
          `layer "${layer.name}" has class ${cls}, which Reverie cannot differentiate yet (supported: ${SUPPORTED_CLASSES.join(', ')}).`,
        );
    }
  }
  if (!nodes.some((n) => n.op === 'input')) throw new ModelLoadError(file, 'the model has no InputLayer.');
  // Weights of the skipped head (and any unused ones) are not needed.
  const kept = new Set<tf.Tensor>();
  for (const n of nodes) if (n.op === 'conv') [n.kernel, n.bias].forEach((t) => t && kept.add(t));
  for (const t of Object.values(weights)) if (!kept.has(t)) t.dispose();
  return { nodes, byName, fusedInto, skipped };
}
