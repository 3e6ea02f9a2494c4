// The plain parameterisation: one free value per pixel and colour, through the same colour space
// and sigmoid as the Fourier one (Lucid's "naive" image), for comparison and for pixel-level work.
import * as tf from '@tensorflow/tfjs-core';
import { fromValidImage, toValidImage } from './color.ts';
import { gaussianNoise } from './noise.ts';
import type { ImageParam, ParamOptions } from './types.ts';

export interface PixelParam extends ImageParam {
  setImage(x: tf.Tensor4D): void;
}

export function pixelImage(options: ParamOptions): PixelParam {
  const { height: h, width: w, range } = options;
  const batch = options.batch ?? 1;
  const decorrelate = options.decorrelate ?? true;
  const per = h * w * 3;
  const init = new Float32Array(batch * per);
  for (let e = 0; e < batch; e++) init.set(gaussianNoise(options.seeds?.[e] ?? e, per, options.sd ?? 0.01), e * per);
  const initial = tf.tensor4d(init, [batch, h, w, 3]);
  const values = tf.variable(initial, true);
  initial.dispose();
  return {
    variables: [values],
    batch,
    height: h,
    width: w,
    image: () => toValidImage(values, range, decorrelate),
    setImage: (x) => {
      const next = fromValidImage(x, range, decorrelate);
      values.assign(next);
      next.dispose();
    },
    dispose: () => values.dispose(),
  };
}
