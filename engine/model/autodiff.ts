// The graph's forward pass in plain tfjs ops, for tf.grad: the reference our own backward pass is
// tested against ('exact' average pooling), and the naive route the benchmark compares with ('tfjs').
import * as tf from '@tensorflow/tfjs-core';
import { ancestors, type Graph } from './graph.ts';

/**
 * A depthwise kernel [kh,kw,C,m] as the equivalent full conv kernel [kh,kw,C,C*m] (block-diagonal):
 * tf.conv2d's gradient runs on every backend, and it is an independent route to the same numbers.
 */
export function depthwiseAsConvKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, m] = kernel.shape;
  const src = kernel.dataSync();
  const out = new Float32Array(kh * kw * c * c * m);
  for (let t = 0; t < kh * kw; t++) for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) out[(t * c + ch) * c * m + ch * m + k] = src[(t * c + ch) * m + k]!;
  return tf.tensor4d(out, [kh, kw, c, c * m]);
}

const rectify = (t: tf.Tensor, node: { relu: boolean; clip?: number }): tf.Tensor =>
  !node.relu ? t : node.clip === undefined ? tf.relu(t) : tf.clipByValue(t, 0, node.clip);

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
      case 'conv':
      case 'depthwise': {
        const kernel = node.op === 'conv' ? node.kernel : depthwiseAsConvKernel(node.kernel);
        const c = tf.conv2d(a, kernel, node.spec.strides, node.spec.padding);
        const b = node.bias ? tf.add(c, node.bias) : c;
        y = rectify(b, node) as tf.Tensor4D;
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
        y = rectify(a, { relu: true, ...(node.clip === undefined ? {} : { clip: node.clip }) }) as tf.Tensor4D;
        break;
      case 'add':
        y = tf.addN(ins);
        break;
      case 'pad':
        y = tf.pad(a, [[0, 0], [...node.pads[0]], [...node.pads[1]], [0, 0]]);
        break;
      case 'gap':
        y = tf.mean(a, [1, 2], true);
        break;
      case 'dense': {
        const [n, , , k] = a.shape;
        const d = tf.matMul(tf.reshape(a, [n, k]), node.kernel);
        const b = node.bias ? tf.add(d, node.bias) : d;
        y = tf.reshape(node.relu ? tf.relu(b) : b, [n, 1, 1, node.kernel.shape[1]]);
        break;
      }
      case 'affine':
        y = tf.add(tf.mul(a, node.scale), node.shift);
        break;
    }
    values.set(node.name, y);
  }
  return values.get(target)!;
}
