// A convolution with its BatchNormalization folded in (kernel and bias) and its ReLU/ReLU6 fused.
import * as tf from '@tensorflow/tfjs-core';
import { convForward, convInputGradient, disposeConvGradient, prepareConvGradient } from '../../ops/conv.ts';
import { convLikeAutodiff, convLikeOnnx, convLikeShape, convLikeWeights, type ConvLikeNode } from './convLike.ts';
import { clipAfter, fusedActivation, rectifierGradient } from './rectifier.ts';
import type { OpDef } from './types.ts';

export interface ConvNode extends ConvLikeNode {
  op: 'conv';
}

export const conv: OpDef<ConvNode> = {
  kind: 'conv',
  shape: convLikeShape,
  weights: convLikeWeights,
  forward(node, [x]) {
    const { activation, clipAfter: clip } = fusedActivation(node);
    const y =
      activation === 'relu6'
        ? tf.fused.conv2d({ x: x!, filter: node.kernel, strides: node.spec.strides, pad: node.spec.padding, bias: node.bias ?? undefined, activation })
        : convForward(x!, node.kernel, node.bias, node.spec, activation === 'relu');
    return clipAfter(y, clip);
  },
  backward(node, dy, [x], y, prepared) {
    // Flipped kernels (and stride-phase sub-kernels) are made on the first backward pass, inside the
    // executor's tidy: keep them past it. A host that only lists layers or runs forward never pays their memory.
    const kernels = prepared.once(
      node.name,
      () => {
        const k = prepareConvGradient(node.kernel, node.spec);
        tf.keep(k.flipped);
        k.phases?.flat().forEach((t) => t && tf.keep(t));
        return k;
      },
      disposeConvGradient,
    );
    const dPre = rectifierGradient(dy, y, node);
    const dx = convInputGradient(dPre, node.kernel, x!.shape, node.spec, kernels);
    if (dPre !== dy) dPre.dispose();
    return [dx];
  },
  autodiff: convLikeAutodiff,
  onnx: convLikeOnnx,
};
