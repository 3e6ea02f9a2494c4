// The ReLU (or ReLU clipped at `clip`, ReLU6 for MobileNet) that conv, depthwise and dense nodes fuse,
// and that the relu node applies alone: its fused form, its gradient and its autodiff form.
import * as tf from '@tensorflow/tfjs-core';
import type { FusedActivation } from '../../ops/depthwise.ts';
import { reluInputGradient } from '../../ops/relu.ts';
import { clippedRelu, clippedReluInputGradient } from '../../ops/residual.ts';

/** `clip` is a ReLU's max_value (6 for MobileNet's ReLU6); absent for a plain ReLU. */
export interface Rectified {
  relu: boolean;
  clip?: number;
}

/** The fused activation for a conv node; a clip other than 6 runs unfused (fused kernels know ReLU6 only). */
export function fusedActivation(node: Rectified): { activation: FusedActivation; clipAfter?: number } {
  if (!node.relu) return { activation: 'linear' };
  if (node.clip === undefined) return { activation: 'relu' };
  return node.clip === 6 ? { activation: 'relu6' } : { activation: 'linear', clipAfter: node.clip };
}

/** Applies a clip the fused kernel could not; frees the unclipped value. */
export function clipAfter(y: tf.Tensor4D, clip: number | undefined): tf.Tensor4D {
  if (clip === undefined) return y;
  const clipped = clippedRelu(y, clip);
  y.dispose();
  return clipped;
}

/** dy through a (clipped) ReLU, from its output y; dy itself where there is none. */
export function rectifierGradient(dy: tf.Tensor4D, y: tf.Tensor4D, node: Rectified): tf.Tensor4D {
  if (!node.relu) return dy;
  return node.clip === undefined ? reluInputGradient(dy, y) : clippedReluInputGradient(dy, y, node.clip);
}

/** The same rectifier in plain tfjs ops (for tf.grad). */
export const rectifyAutodiff = (t: tf.Tensor, node: Rectified): tf.Tensor =>
  !node.relu ? t : node.clip === undefined ? tf.relu(t) : tf.clipByValue(t, 0, node.clip);
