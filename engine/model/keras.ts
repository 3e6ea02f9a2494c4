// Keras functional topology (as TF.js layers models store it) → our Graph, with BN folded and ReLU fused.
// Image-trunk layers are handled here, classifier-head layers in kerasHead.ts.
import type * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from './types.ts';
import { batchNormAffine } from './fold.ts';
import type { Padding } from '../ops/padding.ts';
import type { ZeroPads } from '../ops/residual.ts';
import type { Graph } from '../graph/graph.ts';
import { GraphBuilder, pair, type KerasLayer } from './kerasBuilder.ts';
import { classifierOf, headLayer, isHeadLayer } from './kerasHead.ts';

export const SUPPORTED_CLASSES = [
  'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Activation', 'ReLU', 'MaxPooling2D', 'AveragePooling2D',
  'Concatenate', 'Add', 'ZeroPadding2D', 'Dropout', 'GlobalAveragePooling2D', 'Flatten', 'Reshape', 'Dense', 'Softmax',
];

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

/** ReLU(max_value, negative_slope, threshold) and Activation('relu' | 'relu6'): the clip, or an error. */
function rectifier(layer: KerasLayer, file: string): { clip: number | undefined } | null {
  const cfg = layer.config;
  if (layer.class_name === 'ReLU') {
    if (Number(cfg['negative_slope'] ?? 0) !== 0 || Number(cfg['threshold'] ?? 0) !== 0) {
      throw new ModelLoadError(file, `layer "${layer.name}" is a leaky or thresholded ReLU; only plain and clipped ReLU (e.g. ReLU6) are supported.`);
    }
    return { clip: cfg['max_value'] == null ? undefined : Number(cfg['max_value']) };
  }
  const activation = String(cfg['activation'] ?? 'linear');
  if (activation === 'relu') return { clip: undefined };
  if (activation === 'relu6') return { clip: 6 };
  return null;
}

/** Conv activations we fuse: linear, relu, relu6. */
function convActivation(layer: KerasLayer, file: string): { relu: boolean; clip?: number } {
  const a = String(layer.config['activation'] ?? 'linear');
  if (a === 'linear') return { relu: false };
  if (a === 'relu') return { relu: true };
  if (a === 'relu6') return { relu: true, clip: 6 };
  throw new ModelLoadError(file, `layer "${layer.name}" uses activation "${a}"; supported: linear, relu, relu6.`);
}

function zeroPads(v: unknown): ZeroPads {
  if (typeof v === 'number') return [[v, v], [v, v]];
  const [a, b] = Array.isArray(v) ? v : [];
  const side = (s: unknown): [number, number] => (Array.isArray(s) ? [Number(s[0]), Number(s[1])] : [Number(s), Number(s)]);
  return [side(a), side(b ?? a)];
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
    const cls = layer.class_name;
    const cfg = layer.config;
    const inputs = b.inputsOf(layer);
    if (!inputs) continue; // downstream of a skipped head layer
    if (isHeadLayer(b, layer, inputs)) {
      headLayer(b, layer, inputs);
      continue;
    }
    const base = b.base(layer, inputs);
    const single = inputs[0];
    // The conv a BN or activation may fuse into (only where nothing else reads the conv's output).
    const target = b.fusable(layer, inputs) && (single?.op === 'conv' || single?.op === 'depthwise') && !single.relu ? single : undefined;

    switch (cls) {
      case 'InputLayer': {
        const shape = cfg['batch_input_shape'];
        const c = Array.isArray(shape) ? Number(shape[3]) : NaN;
        if (Number.isInteger(c) && c > 0) b.inputChannels = c;
        b.add({ ...base, op: 'input' });
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const dilation = pair(cfg['dilation_rate'] ?? 1);
        if (dilation[0] !== 1 || dilation[1] !== 1) throw new ModelLoadError(file, `layer "${layer.name}" uses dilation ${dilation.join('x')}; only 1 is supported.`);
        if (cfg['data_format'] === 'channels_first') throw new ModelLoadError(file, `layer "${layer.name}" is channels_first; only channels_last is supported.`);
        const depthwise = cls === 'DepthwiseConv2D';
        const kernelParam = depthwise ? 'depthwise_kernel' : 'kernel';
        const kernel = b.weight(layer.name, kernelParam, true) as tf.Tensor4D;
        const cin = b.channelsOf(single!);
        const [kh, kw] = cfg['kernel_size'] === undefined ? [NaN, NaN] : pair(cfg['kernel_size']);
        const outs = depthwise ? Number(cfg['depth_multiplier'] ?? 1) : Number(cfg['filters'] ?? NaN);
        b.expectShape(layer.name, kernelParam, kernel, [kh, kw, cin, outs]);
        const bias = cfg['use_bias'] === false ? null : (b.weight(layer.name, 'bias', true) as tf.Tensor1D);
        if (bias) b.expectShape(layer.name, 'bias', bias, [depthwise ? cin * kernel.shape[3] : kernel.shape[3]]);
        const spec = { strides: pair(cfg['strides'] ?? 1), padding: String(cfg['padding']) as Padding };
        b.add({ ...base, op: depthwise ? 'depthwise' : 'conv', kernel, bias, spec, ...convActivation(layer, file) });
        break;
      }
      case 'BatchNormalization': {
        const axis = Number(cfg['axis'] ?? -1);
        if (axis !== -1 && axis !== 3) throw new ModelLoadError(file, `layer "${layer.name}" normalises axis ${axis}; only the channel axis is supported.`);
        const bn = b.batchNorm(layer, b.channelsOf(single!));
        if (target) b.foldInto(target, bn, layer);
        else b.add({ ...base, op: 'affine', ...batchNormAffine(bn) });
        break;
      }
      case 'Activation':
      case 'ReLU': {
        const r = rectifier(layer, file);
        if (cls === 'Activation' && String(cfg['activation']) === 'linear') {
          b.rename(single!, layer.name);
        } else if (!r) {
          throw new ModelLoadError(file, `layer "${layer.name}" uses activation "${String(cfg['activation'])}"; supported: linear, relu, relu6.`);
        } else if (target) {
          Object.assign(target, { relu: true }, r.clip === undefined ? {} : { clip: r.clip });
          target.trainable ||= base.trainable;
          b.rename(target, layer.name);
        } else {
          b.add({ ...base, op: 'relu', ...(r.clip === undefined ? {} : { clip: r.clip }) });
        }
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const poolSize = pair(cfg['pool_size'] ?? 2);
        const spec = { poolSize, strides: pair(cfg['strides'] ?? poolSize), padding: String(cfg['padding'] ?? 'valid') as Padding };
        b.add({ ...base, op: cls === 'MaxPooling2D' ? 'maxpool' : 'avgpool', spec });
        break;
      }
      case 'Concatenate': {
        const axis = Number(cfg['axis'] ?? -1);
        if (axis !== -1 && axis !== 3) throw new ModelLoadError(file, `layer "${layer.name}" concatenates along axis ${axis}; only channels are supported.`);
        b.add({ ...base, op: 'concat' });
        break;
      }
      case 'Add':
        b.add({ ...base, op: 'add' });
        break;
      case 'ZeroPadding2D':
        if (cfg['data_format'] === 'channels_first') throw new ModelLoadError(file, `layer "${layer.name}" is channels_first; only channels_last is supported.`);
        b.add({ ...base, op: 'pad', pads: zeroPads(cfg['padding'] ?? 1) });
        break;
      case 'Dropout': // identity at inference
        b.alias(layer.name, single!);
        break;
      default:
        throw new ModelLoadError(
          file,
          `layer "${layer.name}" has class ${cls}, which Reverie cannot differentiate yet (supported: ${SUPPORTED_CLASSES.join(', ')}).`,
        );
    }
  }
  return b.finish(classifierOf(b, layers, outputs));
}
