// Random rescaling by one of a few factors. Bilinear without half-pixel centres (TF1's resize_bilinear, as
// Lucid uses), which is also the only mode whose tfjs gradient is exact (ResizeBilinearGrad ignores the flag).
import * as tf from '@tensorflow/tfjs-core';
import { pick, type Transform } from './types.ts';

/** Lucid sizes the result as int(factor * size). */
const scaled = (n: number, f: number): number => Math.max(1, Math.floor(f * n + 1e-9));

export function randomScale(factors: readonly number[]): Transform {
  if (factors.length === 0 || factors.some((f) => !(f > 0))) throw new RangeError('randomScale expects positive factors.');
  const lo = Math.min(...factors);
  const hi = Math.max(...factors);
  return {
    describe: `scale(${factors.join(',')})`,
    sample: (random) => {
      const f = pick(random, factors);
      return (x) => {
        const [, h, w] = x.shape;
        const size: [number, number] = [scaled(h, f), scaled(w, f)];
        return size[0] === h && size[1] === w ? tf.clone(x) : tf.image.resizeBilinear(x, size, false, false);
      };
    },
    outputSize: (h, w) => ({ min: [scaled(h, lo), scaled(w, lo)], max: [scaled(h, hi), scaled(w, hi)] }),
  };
}
