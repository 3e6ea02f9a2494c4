// Pad with a constant border (Lucid pads with mid-grey, so the image's edge is not special).
import * as tf from '@tensorflow/tfjs-core';
import type { Transform } from './types.ts';

export function pad(pixels: number, value = 0): Transform {
  if (!Number.isInteger(pixels) || pixels < 0) throw new RangeError(`pad expects a whole number of pixels >= 0, got ${pixels}.`);
  return {
    describe: `pad(${pixels},${value})`,
    sample: () => (x) => (pixels === 0 ? tf.clone(x) : tf.pad(x, [[0, 0], [pixels, pixels], [pixels, pixels], [0, 0]], value)),
    outputSize: (h, w) => ({ min: [h + 2 * pixels, w + 2 * pixels], max: [h + 2 * pixels, w + 2 * pixels] }),
  };
}
