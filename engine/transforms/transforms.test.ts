import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { seededRandom } from '../shared/random.ts';
import { compose, jitter, pad, randomRotate, randomScale, rotateImage, STANDARD_TRANSFORMS, transformsFromSpecs, type Transform } from './index.ts';

const image = (b: number, h: number, w: number, seed = 1): tf.Tensor4D => tf.randomUniform([b, h, w, 3], -1, 1, 'float32', seed) as tf.Tensor4D;

function run(t: Transform, x: tf.Tensor4D, seed: number): { shape: number[]; data: Float32Array } {
  const y = t.sample(seededRandom(seed))(x);
  const out = { shape: y.shape, data: y.dataSync() as Float32Array };
  y.dispose();
  return out;
}

const cases: Array<[string, Transform]> = [
  ['pad', pad(5, 0.25)],
  ['jitter', jitter(6)],
  ['scale', randomScale([0.8, 0.9, 1.1, 1.2])],
  ['rotate', randomRotate([-10, -7, 5, 10])],
  ['standard', transformsFromSpecs(STANDARD_TRANSFORMS)],
];

describe('robustness transforms', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each(cases)('%s keeps its shape contract and is seeded', (_name, t) => {
    const x = image(2, 40, 36);
    const before = tf.memory().numTensors;
    const { min, max } = t.outputSize(40, 36);
    const seen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const { shape } = run(t, x, seed);
      expect(shape[0]).toBe(2);
      expect(shape[3]).toBe(3);
      expect(shape[1]).toBeGreaterThanOrEqual(min[0]);
      expect(shape[1]).toBeLessThanOrEqual(max[0]);
      expect(shape[2]).toBeGreaterThanOrEqual(min[1]);
      expect(shape[2]).toBeLessThanOrEqual(max[1]);
      seen.add(String(run(t, x, seed).data.slice(0, 400)));
    }
    const a = run(t, x, 3);
    expect(run(t, x, 3)).toEqual(a);
    // pad draws nothing; every random transform gives different pixels for different seeds.
    if (_name !== 'pad') expect(seen.size).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('pads with the given value and jitter crops a window of the input', () => {
    const x = image(1, 8, 8);
    const padded = pad(2, 0.5).sample(Math.random)(x);
    expect(padded.shape).toEqual([1, 12, 12, 3]);
    expect(padded.dataSync()[0]).toBe(0.5);
    const cropped = jitter(3).sample(seededRandom(1))(x);
    const all = x.arraySync()[0]!.flat(2);
    const window = cropped.arraySync()[0]![0]![0]!;
    expect(all.some((_, i) => i % 3 === 0 && all[i] === window[0] && all[i + 1] === window[1])).toBe(true);
    tf.dispose([x, padded, cropped]);
  });

  it('rotates by 90 degrees exactly (three integer shears on an odd square), clockwise on screen', () => {
    const x = image(1, 9, 9, 4);
    const r = rotateImage(x, 90);
    const src = x.arraySync()[0]!;
    const out = r.arraySync()[0]!;
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) for (let c = 0; c < 3; c++) expect(out[i]![j]![c]).toBeCloseTo(src[8 - j]![i]![c]!, 5);
    const same = rotateImage(x, 0);
    expect(same.dataSync()).toEqual(x.dataSync());
    tf.dispose([x, r, same]);
  });

  it('small rotations match bilinear rotation away from the borders', () => {
    // A smooth image, so linear interpolation orders hardly matter.
    const x = tf.tidy(() => {
      const [ys, xs] = tf.meshgrid(tf.range(0, 48), tf.range(0, 48), { indexing: 'ij' }) as unknown as [tf.Tensor2D, tf.Tensor2D];
      const v = tf.sin(tf.add(tf.mul(ys, 0.15), tf.mul(xs, 0.1)));
      return tf.tile(tf.reshape(v, [1, 48, 48, 1]), [1, 1, 1, 3]) as tf.Tensor4D;
    });
    const ours = rotateImage(x, 8);
    // tf.image.transform samples input (x', y') for output (x, y): the inverse rotation about the centre.
    const [c, s, m] = [Math.cos((8 * Math.PI) / 180), Math.sin((8 * Math.PI) / 180), 23.5];
    const inverse = tf.tensor2d([[c, s, m - c * m - s * m, -s, c, m + s * m - c * m, 0, 0]]);
    const theirs = tf.image.transform(x, inverse, 'bilinear');
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(ours, [0, 12, 12, 0], [1, 24, 24, 3]), tf.slice(theirs, [0, 12, 12, 0], [1, 24, 24, 3])))).dataSync()[0]!);
    expect(diff).toBeLessThan(0.02);
    tf.dispose([x, ours, theirs, inverse]);
  });

  it.each(cases)('%s differentiates exactly: <grad, d> equals the change along d (it is affine)', (_name, t) => {
    const x = image(1, 30, 30, 7);
    const d = image(1, 30, 30, 8);
    const applied = t.sample(seededRandom(11));
    const y = applied(x);
    const weights = tf.randomUniform(y.shape, -1, 1, 'float32', 9);
    const grad = tf.grad((v) => tf.sum(tf.mul(applied(v as tf.Tensor4D), weights)))(x);
    const lhs = tf.tidy(() => tf.sum(tf.mul(grad, d)).dataSync()[0]!);
    // Pad adds a constant border, so compare the change T(d) - T(0) (the transforms are affine).
    const rhs = tf.tidy(() => tf.sum(tf.mul(tf.sub(applied(d), applied(tf.zerosLike(d))), weights)).dataSync()[0]!);
    expect(lhs).toBeCloseTo(rhs, 2);
    tf.dispose([x, d, y, weights, grad]);
  });

  it('describes chains for recipe hashes', () => {
    expect(compose([pad(1), jitter(2)]).describe).toBe('pad(1,0) > jitter(2)');
    expect(compose([]).describe).toBe('none');
    expect(() => jitter(-1)).toThrow(RangeError);
  });
});
