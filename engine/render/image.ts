// Conversions between 0..255 RGB pixel buffers and model-range image tensors (whole-image tensors for
// small images: the inspector's maps and visualizations; the dream loop works on arrays, see pixels.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../shared/image.ts';

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
