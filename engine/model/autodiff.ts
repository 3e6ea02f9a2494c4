// The graph's forward pass in plain tfjs ops, for tf.grad: the reference our own backward pass is
// tested against ('exact' average pooling), and the naive route the benchmark compares with ('tfjs').
import * as tf from '@tensorflow/tfjs-core';
import { ancestors, type Graph } from './graph.ts';

export function autodiffForward(graph: Graph, x: tf.Tensor4D, target: string, avgPool: 'exact' | 'tfjs'): tf.Tensor4D {
  const values = new Map<string, tf.Tensor4D>();
  for (const node of ancestors(graph, [target])) {
    const ins = node.inputs.map((n) => values.get(n)!);
    const a = ins[0]!;
    let y: tf.Tensor4D;
    switch (node.op) {
      case 'input':
        y = x;
        break;
      case 'conv': {
        const c = tf.conv2d(a, node.kernel, node.spec.strides, node.spec.padding);
        const b = node.bias ? tf.add(c, node.bias) : c;
        y = (node.relu ? tf.relu(b) : b) as tf.Tensor4D;
        break;
      }
      case 'maxpool':
        y = tf.maxPool(a, node.spec.poolSize, node.spec.strides, node.spec.padding);
        break;
      case 'avgpool': {
        if (avgPool === 'tfjs') {
          y = tf.avgPool(a, node.spec.poolSize, node.spec.strides, node.spec.padding);
          break;
        }
        // Stride-1 'same' window sums as shifted slices of the zero-padded input (all wasm-differentiable).
        const [ph, pw] = node.spec.poolSize;
        if (node.spec.padding !== 'same' || node.spec.strides[0] !== 1 || node.spec.strides[1] !== 1) throw new Error('autodiffForward: exact average pooling is written for stride-1 "same" only');
        const pads: Array<[number, number]> = [[0, 0], [Math.floor((ph - 1) / 2), ph - 1 - Math.floor((ph - 1) / 2)], [Math.floor((pw - 1) / 2), pw - 1 - Math.floor((pw - 1) / 2)], [0, 0]];
        const windowSum = (t: tf.Tensor4D): tf.Tensor4D => {
          const p = tf.pad(t, pads);
          const parts: tf.Tensor4D[] = [];
          for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) parts.push(tf.slice(p, [0, i, j, 0], t.shape));
          return tf.addN(parts);
        };
        y = tf.div(windowSum(a), windowSum(tf.onesLike(a)));
        break;
      }
      case 'concat':
        y = tf.concat(ins, 3);
        break;
      case 'relu':
        y = tf.relu(a);
        break;
      case 'affine':
        y = tf.add(tf.mul(a, node.scale), node.shift);
        break;
    }
    values.set(node.name, y);
  }
  return values.get(target)!;
}
