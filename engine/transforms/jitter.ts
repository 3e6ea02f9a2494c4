// Lucid's jitter: a random crop `pixels` smaller on each axis, so features cannot rely on exact positions.
import * as tf from '@tensorflow/tfjs-core';
import type { Transform } from './types.ts';

export function jitter(pixels: number): Transform {
  if (!Number.isInteger(pixels) || pixels < 0) throw new RangeError(`jitter expects a whole number of pixels >= 0, got ${pixels}.`);
  return {
    describe: `jitter(${pixels})`,
    sample: (random) => {
      const dy = Math.floor(random() * (pixels + 1));
      const dx = Math.floor(random() * (pixels + 1));
      return (x) => {
        const [b, h, w, c] = x.shape;
        if (h <= pixels || w <= pixels) throw new RangeError(`jitter(${pixels}) needs an image larger than ${pixels} pixels; got ${h}x${w}.`);
        return tf.slice(x, [0, dy, dx, 0], [b, h - pixels, w - pixels, c]);
      };
    },
    outputSize: (h, w) => ({ min: [h - pixels, w - pixels], max: [h - pixels, w - pixels] }),
  };
}
