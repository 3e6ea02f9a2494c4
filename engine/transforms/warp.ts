// Bilinear resampling with an exact gradient. tfjs-wasm cannot differentiate tf.image.transform or
// gather (no gradient kernels), so the forward pass gathers and the backward pass scatters the same
// four weights per pixel in plain loops: the adjoint is exact by construction, and cheap at our sizes.
import * as tf from '@tensorflow/tfjs-core';

/** For each output pixel, four input pixel indices (-1 where outside) and their bilinear weights. */
export interface SamplePlan {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  index: Int32Array;
  weight: Float32Array;
}

/** `source(y, x)` gives the input position (row, column; fractional) that output pixel (y, x) reads. */
export function samplePlan(inHeight: number, inWidth: number, outHeight: number, outWidth: number, source: (y: number, x: number) => [number, number]): SamplePlan {
  const n = outHeight * outWidth;
  const index = new Int32Array(4 * n).fill(-1);
  const weight = new Float32Array(4 * n);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const [sy, sx] = source(y, x);
      // Snap positions within float noise of a whole pixel, so exact grid moves stay exact.
      const ry = Math.abs(sy - Math.round(sy)) < 1e-9 ? Math.round(sy) : sy;
      const rx = Math.abs(sx - Math.round(sx)) < 1e-9 ? Math.round(sx) : sx;
      const y0 = Math.floor(ry);
      const x0 = Math.floor(rx);
      const fy = ry - y0;
      const fx = rx - x0;
      const at = 4 * (y * outWidth + x);
      const corners: Array<[number, number, number]> = [
        [y0, x0, (1 - fy) * (1 - fx)],
        [y0, x0 + 1, (1 - fy) * fx],
        [y0 + 1, x0, fy * (1 - fx)],
        [y0 + 1, x0 + 1, fy * fx],
      ];
      corners.forEach(([cy, cx, w], k) => {
        if (w > 0 && cy >= 0 && cy < inHeight && cx >= 0 && cx < inWidth) {
          index[at + k] = cy * inWidth + cx;
          weight[at + k] = w;
        }
      });
    }
  }
  return { inHeight, inWidth, outHeight, outWidth, index, weight };
}

/** out[b, p, c] = sum_k weight[p, k] * in[b, index[p, k], c] */
function gather(input: Float32Array, batch: number, channels: number, plan: SamplePlan): Float32Array {
  const inPlane = plan.inHeight * plan.inWidth * channels;
  const outPixels = plan.outHeight * plan.outWidth;
  const out = new Float32Array(batch * outPixels * channels);
  for (let b = 0; b < batch; b++) {
    const inBase = b * inPlane;
    const outBase = b * outPixels * channels;
    for (let p = 0; p < outPixels; p++) {
      for (let k = 0; k < 4; k++) {
        const src = plan.index[4 * p + k]!;
        if (src < 0) continue;
        const w = plan.weight[4 * p + k]!;
        for (let c = 0; c < channels; c++) out[outBase + p * channels + c]! += w * input[inBase + src * channels + c]!;
      }
    }
  }
  return out;
}

/** The adjoint of gather: each output gradient goes back to the four pixels it was read from. */
function scatter(dy: Float32Array, batch: number, channels: number, plan: SamplePlan): Float32Array {
  const inPlane = plan.inHeight * plan.inWidth * channels;
  const outPixels = plan.outHeight * plan.outWidth;
  const dx = new Float32Array(batch * inPlane);
  for (let b = 0; b < batch; b++) {
    const inBase = b * inPlane;
    const outBase = b * outPixels * channels;
    for (let p = 0; p < outPixels; p++) {
      for (let k = 0; k < 4; k++) {
        const dst = plan.index[4 * p + k]!;
        if (dst < 0) continue;
        const w = plan.weight[4 * p + k]!;
        for (let c = 0; c < channels; c++) dx[inBase + dst * channels + c]! += w * dy[outBase + p * channels + c]!;
      }
    }
  }
  return dx;
}

/** Resamples every image of x [b, h, w, c] by `plan`; differentiable (exact adjoint). */
export function warp(x: tf.Tensor4D, plan: SamplePlan): tf.Tensor4D {
  const [batch, h, w, channels] = x.shape;
  if (h !== plan.inHeight || w !== plan.inWidth) throw new RangeError(`warp planned for ${plan.inHeight}x${plan.inWidth} images, got ${h}x${w}.`);
  const outShape: [number, number, number, number] = [batch, plan.outHeight, plan.outWidth, channels];
  const op = tf.customGrad((...args) => ({
    value: tf.tensor4d(gather((args[0] as tf.Tensor).dataSync() as Float32Array, batch, channels, plan), outShape),
    gradFunc: (dy: tf.Tensor) => tf.tensor4d(scatter(dy.dataSync() as Float32Array, batch, channels, plan), [batch, h, w, channels]),
  }));
  return op(x) as tf.Tensor4D;
}
