// Dense on a [N,1,1,K] value, kernel [K,U]; a softmax after it is never applied (class objectives want logits).
// No ONNX lowering: class objectives stay on tfjs.
import * as tf from '@tensorflow/tfjs-core';
import { denseForward, denseInputGradient } from '../../ops/head.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface DenseNode extends NodeBase {
  op: 'dense';
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D | null;
  relu: boolean;
}

export const dense: OpDef<DenseNode> = {
  kind: 'other',
  shape: (node, [first]) => [first![0], first![1], node.kernel.shape[1]],
  weights: (node) => (node.bias ? [node.kernel, node.bias] : [node.kernel]),
  forward: (node, [x]) => denseForward(x!, node.kernel, node.bias, node.relu),
  backward: (node, dy, _inputs, y) => [denseInputGradient(dy, node.kernel, y, node.relu)],
  autodiff(node, [a]) {
    const [n, , , k] = a!.shape;
    const d = tf.matMul(tf.reshape(a!, [n, k]), node.kernel);
    const b = node.bias ? tf.add(d, node.bias) : d;
    return tf.reshape(node.relu ? tf.relu(b) : b, [n, 1, 1, node.kernel.shape[1]]);
  },
};
