// Depthwise convolution (MobileNet) forward and input gradient, NHWC, kernels [kh,kw,C,multiplier].
// wasm has no DepthwiseConv2dNativeBackpropInput kernel, so the gradient is a forward depthwise conv of
// dy with the spatially flipped kernel (each channel is its own tiny conv, so no channel swap), after
// zero insertion for strided layers, with the same TF-aligned padding as conv.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { ConvSpec } from './conv.ts';
import { expectOutShape, transposedInput } from './layout.ts';

/** What follows the conv in the same fused kernel: ReLU6 is MobileNet's clipped rectifier. */
export type FusedActivation = 'linear' | 'relu' | 'relu6';

export function depthwiseForward(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  spec: ConvSpec,
  activation: FusedActivation,
): tf.Tensor4D {
  return tf.fused.depthwiseConv2d({ x, filter: kernel, strides: spec.strides, pad: spec.padding, bias: bias ?? undefined, activation });
}

/**
 * [kh,kw,C,m] → [kh,kw,C*m,1], spatially reversed. Output channel c*m+k of the forward pass reads input
 * channel c through K[:,:,c,k], and that is also the memory order of the last two axes, so flipping
 * only moves whole spatial blocks (a JS copy: cheaper on wasm than reverse + reshape kernels).
 */
export function flipDepthwiseKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, m] = kernel.shape;
  const block = c * m;
  const src = kernel.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = ((kh - 1 - i) * kw + (kw - 1 - j)) * block;
      out.set(src.subarray(from, from + block), (i * kw + j) * block);
    }
  }
  return tf.tensor4d(out, [kh, kw, block, 1]);
}

/**
 * d(sum(dy * depthwise(x)))/dx. `flipped` is flipDepthwiseKernel(kernel), best cached per layer.
 * Channel multipliers above 1 sum the gradients of a channel's m outputs. Strided layers use zero
 * insertion: stride phases (as convPhase.ts does for full convs) measured 4-8x slower here, since a
 * depthwise conv is memory-bound and the phases' pads and interleave cost more than the saved MACs.
 */
export function depthwiseInputGradient(
  dy: tf.Tensor4D,
  kernel: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  spec: ConvSpec,
  flipped?: tf.Tensor4D,
): tf.Tensor4D {
  const [kh, kw, c, m] = kernel.shape;
  if (inputShape[3] !== c) throw new Error(`depthwiseInputGradient: input has ${inputShape[3]} channels but the kernel expects ${c}`);
  expectOutShape('depthwiseInputGradient', dy, inputShape, [kh, kw], spec.strides, spec.padding, c * m);
  const f = flipped?.shape;
  if (f && (f[0] !== kh || f[1] !== kw || f[2] !== c * m || f[3] !== 1)) {
    throw new Error(`depthwiseInputGradient: flipped kernel shape [${f.join(',')}] is not flipDepthwiseKernel of [${kernel.shape.join(',')}]`);
  }
  return tf.tidy(() => {
    const kf = flipped ?? flipDepthwiseKernel(kernel);
    const { x, pad } = transposedInput(dy, inputShape, [kh, kw], spec.strides, spec.padding);
    const g = tf.depthwiseConv2d(x, kf, 1, pad);
    if (m === 1) return g;
    const [n, h, w] = g.shape;
    return tf.sum(tf.reshape(g, [n, h, w, c, m]), 4) as tf.Tensor4D;
  });
}
