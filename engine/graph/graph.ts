// Our own inference graph: Keras layers reduced to a few ops (ops/) whose input gradients we own.
// Conv + BatchNormalization + ReLU chains are fused into one 'conv' node (BN folded into kernel and bias).
import type * as tf from '@tensorflow/tfjs-core';
import { opOf, type GraphNode } from './ops/index.ts';
import type { Shape3 } from './ops/types.ts';

export type { GraphNode } from './ops/index.ts';
export type { Shape3 } from './ops/types.ts';

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

/** Output shapes (H, W, C) of every node for an input of the given size. */
export function inferShapes(graph: Graph, height: number, width: number, inputChannels = 3): Map<string, Shape3> {
  const shapes = new Map<string, Shape3>();
  for (const node of graph.nodes) {
    const inShapes = node.inputs.map((n) => shapes.get(n)!);
    shapes.set(node.name, opOf(node).shape(node, inShapes, [height, width, inputChannels]));
  }
  return shapes;
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

/** The tensors a node owns (kernels, biases, BN scales). */
export const nodeWeights = (node: GraphNode): tf.Tensor[] => opOf(node).weights(node);

export function disposeGraph(graph: Graph): void {
  for (const node of graph.nodes) for (const t of nodeWeights(node)) t.dispose();
}
