// Lucid's redirected ReLU, for one channel: while the channel is silent everywhere its ReLU passes
// no gradient and plain ascent never starts, so until it fires we climb its pre-ReLU response
// instead (computed from the convolution that feeds it), then switch to the real activation.
import * as tf from '@tensorflow/tfjs-core';
import { inferShapes, type Graph, type GraphNode } from '../graph/graph.ts';
import type { Activations } from '../shared/model.ts';
import { channelAt } from './batch.ts';
import { channelMean, type Objective } from './objective.ts';

type ConvNode = GraphNode & { op: 'conv' };
type PoolNode = GraphNode & { op: 'maxpool' | 'avgpool' };

export interface PreReluSource {
  conv: ConvNode;
  channel: number;
  /** Pools between the convolution and the layer, in the order they apply. */
  pools: PoolNode[];
}

/** Follows a layer's channel down through concatenations and pools to the ReLU convolution that makes it. */
export function preReluSource(graph: Graph, layer: string, channel: number): PreReluSource | null {
  const shapes = inferShapes(graph, 299, 299);
  const pools: PoolNode[] = [];
  let node = graph.byName.get(layer);
  let ch = channel;
  while (node) {
    // The first convolution reads the image itself, which is not a layer an objective can read.
    if (node.op === 'conv') return node.relu && graph.byName.get(node.inputs[0]!)?.op !== 'input' ? { conv: node, channel: ch, pools } : null;
    if (node.op === 'maxpool' || node.op === 'avgpool') {
      pools.unshift(node);
      node = graph.byName.get(node.inputs[0]!);
    } else if (node.op === 'concat') {
      let next: GraphNode | undefined;
      for (const name of node.inputs) {
        const c = shapes.get(name)![2];
        if (ch < c) {
          next = graph.byName.get(name);
          break;
        }
        ch -= c;
      }
      node = next;
    } else return null;
  }
  return null;
}

function preReluMean(source: PreReluSource, acts: Activations, index: number | undefined): tf.Scalar {
  const { conv, channel, pools } = source;
  const inputName = conv.inputs[0]!;
  let a = acts[inputName];
  if (!a) throw new Error(`Objective needs layer "${inputName}", which was not computed.`);
  if (index !== undefined) a = tf.slice(a, [index, 0, 0, 0], [1, -1, -1, -1]);
  const [kh, kw, cin] = conv.kernel.shape;
  const kernel = tf.slice(conv.kernel, [0, 0, 0, channel], [kh, kw, cin, 1]);
  let pre: tf.Tensor4D = tf.conv2d(a, kernel, conv.spec.strides, conv.spec.padding);
  if (conv.bias) pre = tf.add(pre, tf.slice(conv.bias, [channel], [1]));
  for (const p of pools) {
    const { poolSize, strides, padding } = p.spec;
    pre = p.op === 'maxpool' ? tf.maxPool(pre, poolSize, strides, padding) : tf.avgPool(pre, poolSize, strides, padding);
  }
  return tf.mean(pre);
}

/**
 * A channel's mean activation (of image `index` of the batch, or of all), redirected to its pre-ReLU
 * response while it is zero. Models without an inspectable graph get the plain channel objective.
 */
export function redirectedChannel(model: { readonly graph?: Graph | undefined }, layer: string, channel: number, index?: number): Objective {
  const plain = index === undefined ? channelMean(layer, channel) : channelAt(layer, channel, index);
  const graph = model.graph;
  const source = graph ? preReluSource(graph, layer, channel) : null;
  if (!source) return plain;
  const inputName = source.conv.inputs[0]!;
  return {
    layers: [...new Set([layer, inputName])],
    describe: plain.describe,
    fn: (acts) => {
      const post = plain.fn(acts);
      // A step mask (its gradient is zero) picks one branch; the gradient flows down that branch only.
      const live = tf.step(post);
      return tf.add(tf.mul(live, post), tf.mul(tf.sub(1, live), preReluMean(source, acts, index))) as tf.Scalar;
    },
  };
}
