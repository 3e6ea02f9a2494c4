// Keras layer classes of the image trunk, each mapped to the graph node it becomes (or fuses into):
// the list of supported classes is this table's keys plus the head's (head.ts).
import type * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from '../../shared/errors.ts';
import { batchNormAffine } from './fold.ts';
import type { Padding } from '../../ops/padding.ts';
import type { ZeroPads } from '../../ops/residual.ts';
import type { GraphNode } from '../../graph/graph.ts';
import type { ConvLikeNode } from '../../graph/ops/convLike.ts';
import { pair, type GraphBuilder, type KerasLayer } from './builder.ts';

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

/** What an importer gets besides the layer: its input nodes and the fields every node starts with. */
interface LayerContext {
  b: GraphBuilder;
  layer: KerasLayer;
  cfg: Record<string, unknown>;
  file: string;
  base: ReturnType<GraphBuilder['base']>;
  single: GraphNode | undefined;
  /** The conv a BN or activation may fuse into (only where nothing else reads the conv's output). */
  target: ConvLikeNode | undefined;
}

function convLayer({ b, layer, cfg, file, base, single }: LayerContext): void {
  const dilation = pair(cfg['dilation_rate'] ?? 1);
  if (dilation[0] !== 1 || dilation[1] !== 1) throw new ModelLoadError(file, `layer "${layer.name}" uses dilation ${dilation.join('x')}; only 1 is supported.`);
  if (cfg['data_format'] === 'channels_first') throw new ModelLoadError(file, `layer "${layer.name}" is channels_first; only channels_last is supported.`);
  const depthwise = layer.class_name === 'DepthwiseConv2D';
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
}

function activationLayer({ b, layer, cfg, file, base, single, target }: LayerContext): void {
  const r = rectifier(layer, file);
  if (layer.class_name === 'Activation' && String(cfg['activation']) === 'linear') {
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
}

function poolLayer({ b, layer, cfg, base }: LayerContext): void {
  const poolSize = pair(cfg['pool_size'] ?? 2);
  const spec = { poolSize, strides: pair(cfg['strides'] ?? poolSize), padding: String(cfg['padding'] ?? 'valid') as Padding };
  b.add({ ...base, op: layer.class_name === 'MaxPooling2D' ? 'maxpool' : 'avgpool', spec });
}

/** Image-trunk Keras classes, in the order the refusal message lists them. */
export const TRUNK_LAYERS: Record<string, (c: LayerContext) => void> = {
  InputLayer({ b, cfg, base }) {
    const shape = cfg['batch_input_shape'];
    const c = Array.isArray(shape) ? Number(shape[3]) : NaN;
    if (Number.isInteger(c) && c > 0) b.inputChannels = c;
    b.add({ ...base, op: 'input' });
  },
  Conv2D: convLayer,
  DepthwiseConv2D: convLayer,
  BatchNormalization({ b, layer, cfg, file, base, single, target }) {
    const axis = Number(cfg['axis'] ?? -1);
    if (axis !== -1 && axis !== 3) throw new ModelLoadError(file, `layer "${layer.name}" normalises axis ${axis}; only the channel axis is supported.`);
    const bn = b.batchNorm(layer, b.channelsOf(single!));
    if (target) b.foldInto(target, bn, layer);
    else b.add({ ...base, op: 'affine', ...batchNormAffine(bn) });
  },
  Activation: activationLayer,
  ReLU: activationLayer,
  MaxPooling2D: poolLayer,
  AveragePooling2D: poolLayer,
  Concatenate({ b, layer, cfg, file, base }) {
    const axis = Number(cfg['axis'] ?? -1);
    if (axis !== -1 && axis !== 3) throw new ModelLoadError(file, `layer "${layer.name}" concatenates along axis ${axis}; only channels are supported.`);
    b.add({ ...base, op: 'concat' });
  },
  Add: ({ b, base }) => b.add({ ...base, op: 'add' }),
  ZeroPadding2D({ b, layer, cfg, file, base }) {
    if (cfg['data_format'] === 'channels_first') throw new ModelLoadError(file, `layer "${layer.name}" is channels_first; only channels_last is supported.`);
    b.add({ ...base, op: 'pad', pads: zeroPads(cfg['padding'] ?? 1) });
  },
  // Identity at inference.
  Dropout: ({ b, layer, single }) => b.alias(layer.name, single!),
};
