// Our own inference graph: Keras layers reduced to a few ops whose input gradients we own.
// Conv + BatchNormalization + ReLU chains are fused into one 'conv' node (BN folded into kernel and bias).
import type * as tf from '@tensorflow/tfjs-core';
import type { ConvSpec } from '../ops/conv.ts';
import type { PoolSpec } from '../ops/pool.ts';
import type { ZeroPads } from '../ops/residual.ts';

/** `clip` is a ReLU's max_value (6 for MobileNet's ReLU6); absent for a plain ReLU. */
export type NodeOp =
  | { op: 'input' }
  | { op: 'conv'; kernel: tf.Tensor4D; bias: tf.Tensor1D | null; spec: ConvSpec; relu: boolean; clip?: number }
  /** Depthwise convolution, kernel [kh,kw,C,multiplier]. */
  | { op: 'depthwise'; kernel: tf.Tensor4D; bias: tf.Tensor1D | null; spec: ConvSpec; relu: boolean; clip?: number }
  | { op: 'maxpool'; spec: PoolSpec }
  | { op: 'avgpool'; spec: PoolSpec }
  | { op: 'concat' }
  | { op: 'relu'; clip?: number }
  /** A BatchNormalization that could not be folded into a convolution: y = x * scale + shift. */
  | { op: 'affine'; scale: tf.Tensor1D; shift: tf.Tensor1D }
  /** Residual sum of same-shaped inputs. */
  | { op: 'add' }
  /** Keras ZeroPadding2D. */
  | { op: 'pad'; pads: ZeroPads }
  /** GlobalAveragePooling2D: [N,1,1,C], so Flatten after it is a no-op. */
  | { op: 'gap' }
  /** Dense on a [N,1,1,K] value, kernel [K,U]; a softmax after it is never applied (class objectives want logits). */
  | { op: 'dense'; kernel: tf.Tensor2D; bias: tf.Tensor1D | null; relu: boolean };

export type GraphNode = NodeOp & {
  /** The Keras name of the layer whose output this node produces (the last of a fused chain). */
  name: string;
  inputs: string[];
  /** The Keras layers fused into this node, in order (e.g. conv2d_5, batch_normalization_5, activation_5). */
  layers: string[];
  /** True where any fused layer's weights were trainable when the model was saved (fine-tuning). */
  trainable: boolean;
  /** Part of the classifier head (after global pooling): not an image layer. */
  head?: boolean;
};

/** The model's classifier, as far as the graph runs it. */
export interface Classifier {
  /** The node whose output is the class scores before any softmax; null where the head was not built. */
  logits: string | null;
  /** The Keras layer that ends the classifier, and how many classes it scores. */
  layer: string;
  units: number;
  /** Why the head is not run (logits null), in words. */
  reason?: string;
}

export interface Graph {
  nodes: GraphNode[]; // topological order, input first
  byName: Map<string, GraphNode>;
  /** Keras layer names fused away into a node, mapped to the node that now carries the chain. */
  fusedInto: Map<string, string>;
  /** Layers after the image trunk (Flatten, Dense, ...) that we do not execute. */
  skipped: string[];
  /** The classifier head, when the topology has one. */
  classifier?: Classifier;
}

export type Shape3 = [number, number, number];

/** Like padding.ts's convOutputSize, but 0 where the input is too small, so whole-graph listings never throw. */
function outSize(n: number, k: number, stride: number, padding: 'same' | 'valid'): number {
  if (n <= 0) return 0;
  return padding === 'same' ? Math.ceil(n / stride) : Math.max(0, Math.floor((n - k) / stride) + 1);
}

/** Output shapes (H, W, C) of every node for an input of the given size. */
export function inferShapes(graph: Graph, height: number, width: number, inputChannels = 3): Map<string, Shape3> {
  const shapes = new Map<string, Shape3>();
  for (const node of graph.nodes) {
    const inShapes = node.inputs.map((n) => shapes.get(n)!);
    shapes.set(node.name, nodeShape(node, inShapes, [height, width, inputChannels]));
  }
  return shapes;
}

function nodeShape(node: GraphNode, inShapes: Shape3[], inputShape: Shape3): Shape3 {
  const first = inShapes[0]!;
  switch (node.op) {
    case 'input':
      return inputShape;
    case 'conv':
    case 'depthwise': {
      const [kh, kw, cin, cout] = node.kernel.shape;
      const { strides, padding } = node.spec;
      return [outSize(first[0], kh, strides[0], padding), outSize(first[1], kw, strides[1], padding), node.op === 'conv' ? cout : cin * cout];
    }
    case 'maxpool':
    case 'avgpool': {
      const { poolSize, strides, padding } = node.spec;
      return [
        outSize(first[0], poolSize[0], strides[0], padding),
        outSize(first[1], poolSize[1], strides[1], padding),
        first[2],
      ];
    }
    case 'concat':
      return [first[0], first[1], inShapes.reduce((sum, s) => sum + s[2], 0)];
    case 'relu':
    case 'affine':
    case 'add':
      return first;
    case 'pad': {
      const [[t, b], [l, r]] = node.pads;
      return first[0] > 0 && first[1] > 0 ? [first[0] + t + b, first[1] + l + r, first[2]] : [0, 0, first[2]];
    }
    case 'gap':
      return [first[0] > 0 ? 1 : 0, first[1] > 0 ? 1 : 0, first[2]];
    case 'dense':
      return [first[0], first[1], node.kernel.shape[1]];
  }
}

/** The nodes needed to compute `targets`, in topological order. */
export function ancestors(graph: Graph, targets: readonly string[]): GraphNode[] {
  const needed = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    stack.push(...graph.byName.get(name)!.inputs);
  }
  return graph.nodes.filter((n) => needed.has(n.name));
}

export function disposeGraph(graph: Graph): void {
  for (const node of graph.nodes) {
    if (node.op === 'conv' || node.op === 'depthwise' || node.op === 'dense') {
      node.kernel.dispose();
      node.bias?.dispose();
    } else if (node.op === 'affine') {
      node.scale.dispose();
      node.shift.dispose();
    }
  }
}
