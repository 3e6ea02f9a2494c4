// A transform is a seeded random draw that yields a fixed, differentiable function of the images.
// Drawing first and applying after lets the render loop replay the same draw for the chain rule.
import type * as tf from '@tensorflow/tfjs-core';

export type Random = () => number;
export type Applied = (x: tf.Tensor4D) => tf.Tensor4D;

export interface Transform {
  /** Stable text (goes into recipe hashes), e.g. "jitter(8)". */
  readonly describe: string;
  /** Draws this step's parameters from `random`; the result transforms [b,h,w,c] images. */
  sample(random: Random): Applied;
  /** The output height and width ranges for an input of this size (inclusive). */
  outputSize(height: number, width: number): { min: [number, number]; max: [number, number] };
}

/** JSON-friendly transform descriptions, as recipes carry them. */
export type TransformSpec =
  | { kind: 'pad'; pixels: number }
  | { kind: 'jitter'; pixels: number }
  | { kind: 'scale'; factors: number[] }
  | { kind: 'rotate'; degrees: number[] };

export function pick<T>(random: Random, choices: readonly T[]): T {
  if (choices.length === 0) throw new RangeError('A random transform needs at least one choice.');
  return choices[Math.min(choices.length - 1, Math.floor(random() * choices.length))]!;
}
