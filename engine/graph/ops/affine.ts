// A BatchNormalization that could not be folded into a convolution: y = x * scale + shift per channel.
// No ONNX lowering: a plan that reaches one stays on tfjs.
import * as tf from '@tensorflow/tfjs-core';
import type { NodeBase, OpDef } from './types.ts';

export interface AffineNode extends NodeBase {
  op: 'affine';
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
}

export const affine: OpDef<AffineNode> = {
  kind: 'conv',
  shape: (_node, [first]) => first!,
  weights: (node) => [node.scale, node.shift],
  forward: (node, [x]) => tf.tidy(() => tf.add(tf.mul(x!, node.scale), node.shift)),
  backward: (node, dy) => [tf.mul(dy, node.scale)],
  autodiff: (node, [a]) => tf.add(tf.mul(a!, node.scale), node.shift),
};
