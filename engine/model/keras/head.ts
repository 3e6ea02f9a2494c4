// The classifier head, so class objectives can reach the logits. Only heads that start with global
// average pooling are run: they score any input size (tiles, octaves). A Flatten of a spatial map
// (nsfwjs's heads) fixes the input size, so such a head is skipped and reported, never guessed at.
import type * as tf from '@tensorflow/tfjs-core';
import type { Classifier, GraphNode } from '../../graph/graph.ts';
import type { GraphBuilder, KerasLayer } from './builder.ts';

const HEAD_CLASSES = new Set(['Flatten', 'Dense', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Softmax', 'Reshape']);

/** The head classes a classifier can run with (GlobalMaxPooling2D is recognised only to be skipped). */
export const HEAD_SUPPORTED = ['GlobalAveragePooling2D', 'Flatten', 'Reshape', 'Dense', 'Softmax'];

const isSoftmax = (layer: KerasLayer) => layer.class_name === 'Softmax' || (layer.class_name === 'Activation' && layer.config['activation'] === 'softmax');

/** Layers handled here rather than as image-trunk layers. */
export function isHeadLayer(b: GraphBuilder, layer: KerasLayer, inputs: readonly GraphNode[]): boolean {
  const onHead = inputs.some((n) => n.head);
  return HEAD_CLASSES.has(layer.class_name) || isSoftmax(layer) || (onHead && layer.class_name === 'Dropout') || b.feedsOnlyFlatten(layer);
}

/** Adds (or aliases, or skips) one head layer. */
export function headLayer(b: GraphBuilder, layer: KerasLayer, inputs: GraphNode[]): void {
  const cls = layer.class_name;
  const input = inputs[0];
  const onHead = input?.head === true && inputs.length === 1;
  const base = { name: layer.name, inputs: inputs.map((n) => n.name), layers: [layer.name], trainable: layer.config['trainable'] !== false, head: true };
  if (cls === 'GlobalAveragePooling2D' && inputs.length === 1) {
    b.add({ ...base, op: 'globalAvgPool' });
  } else if ((cls === 'Flatten' || cls === 'Reshape' || cls === 'Dropout') && onHead) {
    b.alias(layer.name, input); // a [N,1,1,C] value stays [N,1,1,C] in our 4-D representation
  } else if (isSoftmax(layer) && onHead) {
    b.alias(layer.name, input); // never applied: class objectives read the scores before the softmax
  } else if (cls === 'Dense' && onHead) {
    const activation = String(layer.config['activation'] ?? 'linear');
    if (activation !== 'linear' && activation !== 'relu' && activation !== 'softmax') {
      b.skip(layer, `its layer "${layer.name}" uses activation "${activation}"`);
      return;
    }
    const kernel = b.weight(layer.name, 'kernel', true) as tf.Tensor2D;
    const bias = layer.config['use_bias'] === false ? null : (b.weight(layer.name, 'bias', true) as tf.Tensor1D);
    b.add({ ...base, op: 'dense', kernel, bias, relu: activation === 'relu' });
  } else if (/^(Max|Average)Pooling2D$/.test(cls)) {
    b.skip(layer, `it pools with a fixed window ("${layer.name}") and then flattens, so it only scores images of its training size`);
  } else if (cls === 'Flatten' || cls === 'Reshape') {
    b.skip(layer, `it flattens a spatial map ("${layer.name}"), so it only scores images of its training size`);
  } else {
    b.skip(layer, `its layer "${layer.name}" (${cls}) is not supported in a classifier head`);
  }
}

/** Units of the last Dense (or 1x1 Conv2D) among the model's layers: the class count of a skipped head. */
function unitsOf(layers: readonly KerasLayer[], name: string): number {
  const own = layers.find((l) => l.name === name);
  const scored = own && (own.class_name === 'Dense' || own.class_name === 'Conv2D') ? own : [...layers].reverse().find((l) => l.class_name === 'Dense');
  return Number(scored?.config['units'] ?? scored?.config['filters'] ?? 0);
}

/** What the model's output is: logits we run, a head we skipped (and why), or no classifier at all. */
export function classifierOf(b: GraphBuilder, layers: readonly KerasLayer[], outputs: readonly string[]): Classifier | undefined {
  const out = outputs[0];
  if (out === undefined) return undefined;
  if (b.skipped.includes(out)) {
    return { logits: null, layer: out, units: unitsOf(layers, out), reason: b.headReason ?? 'its classifier head is not supported' };
  }
  const node = b.resolve(out);
  if (!node?.head) return undefined; // a feature extractor: its output is an image layer
  const units = node.op === 'dense' ? node.kernel.shape[1] : node.op === 'conv' ? node.kernel.shape[3] : unitsOf(layers, out);
  return { logits: node.name, layer: out, units };
}
