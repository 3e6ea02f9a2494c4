// Depthwise convolution, kernel [kh,kw,C,multiplier], BN folded and ReLU/ReLU6 fused (MobileNet).
import * as tf from '@tensorflow/tfjs-core';
import { depthwiseForward, depthwiseInputGradient, flipDepthwiseKernel } from '../../ops/depthwise.ts';
import { convLikeAutodiff, convLikeOnnx, convLikeShape, convLikeWeights, type ConvLikeNode } from './convLike.ts';
import { clipAfter, fusedActivation, rectifierGradient } from './rectifier.ts';
import type { OpDef } from './types.ts';

export interface DepthwiseNode extends ConvLikeNode {
  op: 'depthwise';
}

export const depthwise: OpDef<DepthwiseNode> = {
  kind: 'conv',
  shape: convLikeShape,
  weights: convLikeWeights,
  forward(node, [x]) {
    const { activation, clipAfter: clip } = fusedActivation(node);
    return clipAfter(depthwiseForward(x!, node.kernel, node.bias, node.spec, activation), clip);
  },
  backward(node, dy, [x], y, prepared) {
    const flipped = prepared.once(node.name, () => tf.keep(flipDepthwiseKernel(node.kernel)), (t) => t.dispose());
    const dPre = rectifierGradient(dy, y, node);
    const dx = depthwiseInputGradient(dPre, node.kernel, x!.shape, node.spec, flipped);
    if (dPre !== dy) dPre.dispose();
    return [dx];
  },
  autodiff: convLikeAutodiff,
  onnx: convLikeOnnx,
};
