// The graph's forward pass in plain tfjs ops, for tf.grad: the reference our own backward pass is
// tested against ('exact' average pooling), and the naive route the benchmark compares with ('tfjs').
// Each op's plain form is its description's `autodiff` (ops/).
import type * as tf from '@tensorflow/tfjs-core';
import { ancestors, type Graph } from './graph.ts';
import { opOf } from './ops/index.ts';

export function autodiffForward(graph: Graph, x: tf.Tensor4D, target: string, avgPool: 'exact' | 'tfjs'): tf.Tensor4D {
  const values = new Map<string, tf.Tensor4D>();
  for (const node of ancestors(graph, [target])) {
    const inputs = node.op === 'input' ? [x] : node.inputs.map((n) => values.get(n)!);
    values.set(node.name, opOf(node).autodiff(node, inputs, { avgPool }));
  }
  return values.get(target)!;
}
