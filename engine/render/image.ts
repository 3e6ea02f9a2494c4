// Conversions between 0..255 RGB pixel buffers and model-range image tensors, plus the geometric helpers.
import * as tf from '@tensorflow/tfjs-core';

export interface RgbImage {
  width: number;
  height: number;
  /** RGB, row-major HWC, 0..255 (not rounded). */
  rgb: Float32Array;
}

export function toModelRange(img: RgbImage, range: readonly [number, number]): tf.Tensor4D {
  const [lo, hi] = range;
  return tf.tidy(() => tf.add(tf.mul(tf.tensor4d(img.rgb, [1, img.height, img.width, 3]), (hi - lo) / 255), lo));
}

export function fromModelRange(x: tf.Tensor4D, range: readonly [number, number]): RgbImage {
  const [lo, hi] = range;
  const [, height, width] = x.shape;
  const pixels = tf.tidy(() => tf.clipByValue(tf.mul(tf.sub(x, lo), 255 / (hi - lo)), 0, 255));
  const rgb = pixels.dataSync() as Float32Array;
  pixels.dispose();
  return { width, height, rgb: Float32Array.from(rgb) };
}

export function resize(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  if (x.shape[1] === height && x.shape[2] === width) return tf.clone(x);
  return tf.image.resizeBilinear(x, [height, width], false, true);
}

/** Circular shift by (dy, dx) pixels, like numpy.roll on the two spatial axes. */
export function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const sy = ((dy % h) + h) % h;
    const sx = ((dx % w) + w) % w;
    let out = x;
    if (sy) out = tf.concat([tf.slice(out, [0, h - sy, 0, 0], [-1, sy, -1, -1]), tf.slice(out, [0, 0, 0, 0], [-1, h - sy, -1, -1])], 1);
    if (sx) out = tf.concat([tf.slice(out, [0, 0, w - sx, 0], [-1, -1, sx, -1]), tf.slice(out, [0, 0, 0, 0], [-1, -1, w - sx, -1])], 2);
    return out === x ? tf.clone(x) : out;
  });
}
