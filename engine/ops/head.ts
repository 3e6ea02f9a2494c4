// Classifier-head ops, so class objectives reach the logits: global average pooling and Dense.
// Head values stay 4-D ([N,1,1,C]) like every other graph value; a Flatten of a 1x1 map is then a no-op.
import * as tf from '@tensorflow/tfjs-core';

/** Mean over the spatial axes: [N,H,W,C] → [N,1,1,C]. */
export function globalAvgPoolForward(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mean(x, [1, 2], true);
}

/** Every input pixel gets dy / (H * W) of its channel. */
export function globalAvgPoolInputGradient(dy: tf.Tensor4D, inputShape: readonly [number, number, number, number]): tf.Tensor4D {
  const [n, h, w, c] = inputShape;
  if (dy.shape[0] !== n || dy.shape[1] !== 1 || dy.shape[2] !== 1 || dy.shape[3] !== c) {
    throw new Error(`globalAvgPoolInputGradient: dy shape [${dy.shape.join(',')}] is not [${n},1,1,${c}]`);
  }
  return tf.tidy(() => tf.broadcastTo(tf.div(dy, h * w), [n, h, w, c]));
}

/** [N,1,1,K] · kernel [K,U] + bias, optional ReLU → [N,1,1,U]. */
export function denseForward(x: tf.Tensor4D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, relu: boolean): tf.Tensor4D {
  const [n, h, w, k] = x.shape;
  if (h !== 1 || w !== 1 || k !== kernel.shape[0]) {
    throw new Error(`denseForward: input [${x.shape.join(',')}] does not fit a Dense kernel of [${kernel.shape.join(',')}]`);
  }
  return tf.tidy(() => {
    const y = tf.fused.matMul({ a: tf.reshape(x, [n, k]), b: kernel, bias: bias ?? undefined, activation: relu ? 'relu' : 'linear' });
    return tf.reshape(y, [n, 1, 1, kernel.shape[1]]);
  });
}

/** dy (masked by y > 0 after a ReLU) times the kernel's transpose. */
export function denseInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor2D, y: tf.Tensor4D, relu: boolean): tf.Tensor4D {
  const [n, , , u] = dy.shape;
  if (u !== kernel.shape[1]) throw new Error(`denseInputGradient: dy has ${u} units, the kernel ${kernel.shape[1]}`);
  return tf.tidy(() => {
    const d = tf.reshape(relu ? tf.mul(dy, tf.step(y, 0)) : dy, [n, u]);
    return tf.reshape(tf.matMul(d, kernel, false, true), [n, 1, 1, kernel.shape[0]]);
  });
}
