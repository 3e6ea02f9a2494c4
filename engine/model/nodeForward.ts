// One graph node's forward computation (the executor's inner loop), fused where the backend allows.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode } from './graph.ts';
import { convForward } from '../ops/conv.ts';
import { depthwiseForward, type FusedActivation } from '../ops/depthwise.ts';
import { avgPoolForward, maxPoolForward } from '../ops/pool.ts';
import { clippedRelu, zeroPadForward } from '../ops/residual.ts';
import { denseForward, globalAvgPoolForward } from '../ops/head.ts';

/** The fused activation for a conv node; a clip other than 6 runs unfused (fused kernels know ReLU6 only). */
function fused(node: { relu: boolean; clip?: number }): { activation: FusedActivation; clipAfter?: number } {
  if (!node.relu) return { activation: 'linear' };
  if (node.clip === undefined) return { activation: 'relu' };
  return node.clip === 6 ? { activation: 'relu6' } : { activation: 'linear', clipAfter: node.clip };
}

export function runNode(node: GraphNode, inputs: tf.Tensor4D[]): tf.Tensor4D {
  const x = inputs[0]!;
  switch (node.op) {
    case 'input':
      return x;
    case 'conv':
    case 'depthwise': {
      const { activation, clipAfter } = fused(node);
      let y: tf.Tensor4D;
      if (node.op === 'depthwise') y = depthwiseForward(x, node.kernel, node.bias, node.spec, activation);
      else if (activation === 'relu6') y = tf.fused.conv2d({ x, filter: node.kernel, strides: node.spec.strides, pad: node.spec.padding, bias: node.bias ?? undefined, activation });
      else y = convForward(x, node.kernel, node.bias, node.spec, activation === 'relu');
      if (clipAfter === undefined) return y;
      const clipped = clippedRelu(y, clipAfter);
      y.dispose();
      return clipped;
    }
    case 'maxpool':
      return maxPoolForward(x, node.spec);
    case 'avgpool':
      return avgPoolForward(x, node.spec);
    case 'concat':
      return tf.concat(inputs, 3);
    case 'relu':
      return node.clip === undefined ? tf.relu(x) : clippedRelu(x, node.clip);
    case 'affine':
      return tf.tidy(() => tf.add(tf.mul(x, node.scale), node.shift));
    case 'add':
      return inputs.length === 2 ? tf.add(x, inputs[1]!) : tf.addN(inputs);
    case 'pad':
      return zeroPadForward(x, node.pads);
    case 'gap':
      return globalAvgPoolForward(x);
    case 'dense':
      return denseForward(x, node.kernel, node.bias, node.relu);
  }
}
