// Random rotation about the image centre, bilinear with zero fill (as Lucid's tfa.image.rotate).
import type * as tf from '@tensorflow/tfjs-core';
import { pick, type Transform } from './types.ts';
import { samplePlan, warp } from './warp.ts';

/** Rotates by `degrees` (positive turns the picture clockwise on screen); same size, zero fill. */
export function rotateImage(x: tf.Tensor4D, degrees: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const theta = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  const [cy, cx] = [(h - 1) / 2, (w - 1) / 2];
  // Output pixel (y, x) reads the input at the inverse rotation of its offset from the centre.
  const plan = samplePlan(h, w, h, w, (y, x) => {
    const [u, v] = [x - cx, y - cy];
    return [cy - sin * u + cos * v, cx + cos * u + sin * v];
  });
  return warp(x, plan);
}

export function randomRotate(degrees: readonly number[]): Transform {
  if (degrees.length === 0 || degrees.some((d) => !Number.isFinite(d))) throw new RangeError('randomRotate expects finite angles in degrees.');
  return {
    describe: `rotate(${degrees.join(',')})`,
    sample: (random) => {
      const angle = pick(random, degrees);
      return (x) => rotateImage(x, angle);
    },
    outputSize: (h, w) => ({ min: [h, w], max: [h, w] }),
  };
}
