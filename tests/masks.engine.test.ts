// Painted masks and guide images on the real embedded InceptionV3 and real photos: masked-off pixels
// keep the input (stated tolerance: bit-equal where the mask is black, so within 0.5 of a level after
// PNG rounding), per-term masks put each term where it was painted, a guide moves the image's
// features toward the guide's, and none of it leaks tensors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { embeddedModel } from './helpers/embedded.ts';
import { dreamToEnd } from '../engine/render/dream.ts';
import { DEFAULT_RECIPE, type Recipe } from '../engine/recipe/recipe.ts';
import { toModelRange } from '../engine/render/image.ts';
import type { RgbImage } from '../engine/shared/image.ts';
import type { Mask } from '../engine/render/mask.ts';
import type { DreamModel } from '../engine/shared/model.ts';

let model: DreamModel;
let photo: RgbImage;
let guide: RgbImage;
beforeAll(async () => {
  model = await embeddedModel();
  photo = await example('cat.jpg', 192);
  guide = await example('coffee.jpg', 240);
});

async function example(name: string, width: number): Promise<RgbImage> {
  const { data, info } = await sharp(new URL(`../assets/examples/${name}`, import.meta.url).pathname).resize({ width }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: Float32Array.from(data) };
}

/** White left of `edge` (a fraction of the width), black right of it, with a soft ramp 8 px wide. */
function halfMask(width: number, height: number, edge: number, invert = false): Mask {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.min(1, Math.max(0, (edge * width - x) / 8 + 0.5));
      data[y * width + x] = invert ? 1 - v : v;
    }
  }
  return { width, height, data };
}

const H = (c: string) => `sha256:${c.repeat(64)}`;
const base: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps: 4, octaves: 2, seed: 7 };

/** Per-pixel mean |a - b| over columns [x0, x1). */
function columnsDiff(a: RgbImage, b: RgbImage, x0: number, x1: number): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = x0; x < x1; x++) {
      for (let k = 0; k < 3; k++) {
        const d = Math.abs(a.rgb[(y * a.width + x) * 3 + k]! - b.rgb[(y * b.width + x) * 3 + k]!);
        sum += d;
        max = Math.max(max, d);
        n++;
      }
    }
  }
  return { mean: sum / n, max };
}

/** Pearson correlation of two images' differences from the input over columns [x0, x1). */
function correlation(a: RgbImage, b: RgbImage, input: RgbImage, x0: number, x1: number): number {
  const u: number[] = [];
  const v: number[] = [];
  for (let y = 0; y < input.height; y++) {
    for (let x = x0; x < x1; x++) {
      for (let k = 0; k < 3; k++) {
        const i = (y * input.width + x) * 3 + k;
        u.push(a.rgb[i]! - input.rgb[i]!);
        v.push(b.rgb[i]! - input.rgb[i]!);
      }
    }
  }
  const mean = (w: number[]) => w.reduce((s, t) => s + t, 0) / w.length;
  const [mu, mv] = [mean(u), mean(v)];
  let [suv, suu, svv] = [0, 0, 0];
  for (let i = 0; i < u.length; i++) {
    suv += (u[i]! - mu) * (v[i]! - mv);
    suu += (u[i]! - mu) ** 2;
    svv += (v[i]! - mv) ** 2;
  }
  return suv / Math.sqrt(suu * svv);
}

describe('painted masks', () => {
  it('keeps masked-off pixels bit-equal to the input and dreams the painted ones', async () => {
    const { width, height } = photo;
    const masks = new Map([[H('a'), halfMask(width, height, 0.5)]]);
    const out = await dreamToEnd(model, photo, { ...base, mask: H('a') }, { assets: { masks } });
    // Right of the soft edge (x >= 0.5 w + 4) the mask is 0.
    const kept = columnsDiff(out, photo, Math.ceil(width / 2 + 4), width);
    expect(kept.max).toBeLessThanOrEqual(1e-3);
    expect(columnsDiff(out, photo, 0, Math.floor(width / 2 - 4)).mean).toBeGreaterThan(3);
    // In the ramp, the change is at most the mask's value times the unmasked dream's size.
    const unmasked = await dreamToEnd(model, photo, base);
    expect(columnsDiff(out, photo, 0, width).mean).toBeLessThan(columnsDiff(unmasked, photo, 0, width).mean);
  }, 300_000);

  it('per-term masks: each term dreams where its mask is painted', async () => {
    const { width, height } = photo;
    const masks = new Map([
      [H('b'), halfMask(width, height, 0.5)],
      [H('c'), halfMask(width, height, 0.5, true)],
    ]);
    const a = { ...base, layers: [{ name: 'mixed2', weight: 1 }] };
    const b = { ...base, layers: [{ name: 'mixed5', weight: 1 }] };
    const both = await dreamToEnd(model, photo, { ...base, layers: [{ name: 'mixed2', weight: 1, mask: H('b') }, { name: 'mixed5', weight: 1, mask: H('c') }] }, { assets: { masks } });
    const onlyA = await dreamToEnd(model, photo, a);
    const onlyB = await dreamToEnd(model, photo, b);
    const left: [number, number] = [0, Math.floor(width * 0.4)];
    const right: [number, number] = [Math.ceil(width * 0.6), width];
    const leftA = correlation(both, onlyA, photo, ...left);
    const leftB = correlation(both, onlyB, photo, ...left);
    const rightA = correlation(both, onlyA, photo, ...right);
    const rightB = correlation(both, onlyB, photo, ...right);
    console.log(`per-term masks, correlation with each term alone: left A ${leftA.toFixed(2)} B ${leftB.toFixed(2)}, right A ${rightA.toFixed(2)} B ${rightB.toFixed(2)}`);
    expect(leftA).toBeGreaterThan(0.5);
    expect(leftA).toBeGreaterThan(leftB + 0.2);
    expect(rightB).toBeGreaterThan(0.5);
    expect(rightB).toBeGreaterThan(rightA + 0.2);
  }, 300_000);

  it('names a missing mask or a mask of another shape in the error', async () => {
    await expect(dreamToEnd(model, photo, { ...base, mask: H('d') })).rejects.toThrow(/names mask sha256:d+, which was not given/);
    const masks = new Map([[H('d'), halfMask(50, 50, 0.5)]]);
    await expect(dreamToEnd(model, photo, { ...base, mask: H('d') }, { assets: { masks } })).rejects.toThrow(/mask is 50x50 but the image is 192x/);
  });
});

/** Mean over the image's positions of the best cosine similarity with any guide position, at a layer. */
function bestMatch(image: RgbImage, layer: string): number {
  return tf.tidy(() => {
    const feats = (img: RgbImage) => {
      const a = model.activations(toModelRange(img, model.inputRange), [layer])[layer]!;
      const [, h, w, c] = a.shape;
      const x = tf.reshape(a, [h * w, c]) as tf.Tensor2D;
      return tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), 1e-6)) as tf.Tensor2D;
    };
    return tf.mean(tf.max(tf.matMul(feats(image), feats(guide), false, true), 1)).dataSync()[0]!;
  });
}

describe('guide image', () => {
  it('moves the features at the chosen layer toward the guide, more than the unguided dream', async () => {
    const recipe = { ...base, layers: [{ name: 'mixed4', weight: 1 }], steps: 6 };
    const guides = new Map([[H('e'), guide]]);
    const guided = await dreamToEnd(model, photo, { ...recipe, guide: H('e') }, { assets: { guides } });
    const plain = await dreamToEnd(model, photo, recipe);
    const [before, withGuide, without] = [bestMatch(photo, 'mixed4'), bestMatch(guided, 'mixed4'), bestMatch(plain, 'mixed4')];
    console.log(`mixed4 best-match cosine with the guide: input ${before.toFixed(3)}, guided ${withGuide.toFixed(3)}, unguided ${without.toFixed(3)}`);
    expect(withGuide).toBeGreaterThan(before + 0.02);
    expect(withGuide).toBeGreaterThan(without + 0.02);
  }, 300_000);

  it('leaks no tensors with masks, a guide and fade', async () => {
    const { width, height } = photo;
    const assets = { masks: new Map([[H('f'), halfMask(width, height, 0.3)]]), guides: new Map([[H('e'), guide]]) };
    const recipe: Recipe = { ...base, steps: 1, octaves: 1, fade: 30, mask: H('f'), guide: H('e'), channels: [{ layer: 'mixed4', index: 3, weight: 1, mask: H('f') }] };
    await dreamToEnd(model, photo, recipe, { assets }); // warm kernels
    const before = tf.memory().numTensors;
    await dreamToEnd(model, photo, recipe, { assets });
    await expect(dreamToEnd(model, photo, { ...recipe, mask: H('0') }, { assets })).rejects.toThrow(/not given/);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
