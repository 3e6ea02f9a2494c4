// Classic hand-made 3x3 filters applied to any picture, to show what one convolution does before
// the learned ones: edges (Sobel), sharpening, blurring. Edges are mirrored so borders stay clean.
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../shared/image.ts';

export interface SeedFilter {
  kernel: number[][];
  /** Signed responses are drawn around mid-grey: bright where positive, dark where negative. */
  signed: boolean;
  describe: string;
}

export const SEED_FILTERS = {
  'sobel-x': { kernel: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], signed: true, describe: 'horizontal change: vertical edges' },
  'sobel-y': { kernel: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], signed: true, describe: 'vertical change: horizontal edges' },
  sharpen: { kernel: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], signed: false, describe: 'centre minus neighbours: crisper detail' },
  blur: { kernel: [[1, 2, 1], [2, 4, 2], [1, 2, 1]].map((r) => r.map((v) => v / 16)), signed: false, describe: 'weighted average of neighbours (Gaussian)' },
} as const satisfies Record<string, SeedFilter>;

export type SeedFilterName = keyof typeof SEED_FILTERS;

export function isSeedFilter(name: string): name is SeedFilterName {
  return Object.hasOwn(SEED_FILTERS, name);
}

/** Convolves each colour channel of `image` with the filter (same size out). */
export function applySeedFilter(image: RgbImage, name: SeedFilterName): RgbImage {
  const filter: SeedFilter = SEED_FILTERS[name];
  const out = tf.tidy(() => {
    const x = tf.tensor4d(image.rgb, [1, image.height, image.width, 3]);
    // mirrorPad needs at least 2 pixels per side; 1-pixel images are padded by repetition instead.
    const padded = image.width > 1 && image.height > 1 ? tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'symmetric') : tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const kernel = tf.tile(tf.reshape(tf.tensor2d(filter.kernel), [3, 3, 1, 1]), [1, 1, 3, 1]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(padded, kernel, 1, 'valid');
    return tf.clipByValue(filter.signed ? tf.add(tf.mul(y, 0.5), 127.5) : y, 0, 255);
  });
  const rgb = Float32Array.from(out.dataSync());
  out.dispose();
  return { width: image.width, height: image.height, rgb };
}
