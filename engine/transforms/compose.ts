// Chains of transforms, Lucid's standard robustness set, and building transforms from recipe specs.
import * as tf from '@tensorflow/tfjs-core';
import { jitter } from './jitter.ts';
import { pad } from './pad.ts';
import { randomRotate } from './rotate.ts';
import { randomScale } from './scale.ts';
import type { Transform, TransformSpec } from './types.ts';

/** Applies transforms in order; one draw samples each of them once. */
export function compose(transforms: readonly Transform[]): Transform {
  return {
    describe: transforms.map((t) => t.describe).join(' > ') || 'none',
    sample: (random) => {
      const steps = transforms.map((t) => t.sample(random));
      return (x) =>
        tf.tidy(() => {
          let out = x;
          for (const step of steps) out = step(out);
          return out === x ? tf.clone(x) : out;
        });
    },
    outputSize: (h, w) => {
      let min: [number, number] = [h, w];
      let max: [number, number] = [h, w];
      for (const t of transforms) {
        min = t.outputSize(...min).min;
        max = t.outputSize(...max).max;
      }
      return { min, max };
    },
  };
}

/** Lucid's standard_transforms: pad 12 (grey), jitter 8, scale 0.9-1.1, rotate -10..10 degrees, jitter 4. */
export const STANDARD_TRANSFORMS: readonly TransformSpec[] = [
  { kind: 'pad', pixels: 12 },
  { kind: 'jitter', pixels: 8 },
  { kind: 'scale', factors: Array.from({ length: 11 }, (_, i) => 1 + (i - 5) / 50) },
  { kind: 'rotate', degrees: [...Array.from({ length: 21 }, (_, i) => i - 10), 0, 0, 0, 0, 0] },
  { kind: 'jitter', pixels: 4 },
];

/** Builds a chain from specs; `padValue` is the fill (mid-grey of the model's range). */
export function transformsFromSpecs(specs: readonly TransformSpec[], padValue = 0): Transform {
  return compose(
    specs.map((s) => {
      switch (s.kind) {
        case 'pad':
          return pad(s.pixels, padValue);
        case 'jitter':
          return jitter(s.pixels);
        case 'scale':
          return randomScale(s.factors);
        case 'rotate':
          return randomRotate(s.degrees);
      }
    }),
  );
}
