// The dream loop on the real embedded model at small sizes: octaves, tiles, determinism, cancel, leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from '../../tests/helpers/embedded.ts';
import { dream, dreamToEnd, octaveSizes, type DreamProgress } from './dream.ts';
import { DEFAULT_RECIPE, type Recipe } from '../recipe/recipe.ts';
import { tiledGradient, tileGrid } from './tiles.ts';
import { layerMean, sum } from '../objectives/objective.ts';
import type { RgbImage } from '../shared/image.ts';
import type { DreamModel } from '../shared/model.ts';
import { relL2 as relativeError } from '../../tests/helpers/numeric.ts';

let model: DreamModel;
beforeAll(async () => {
  model = await embeddedModel();
});

/** A smooth, seeded test picture: gradients plus a few discs, not noise. */
function picture(width: number, height: number): RgbImage {
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const disc = (x - width / 3) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2 ? 80 : 0;
      rgb[i] = (255 * x) / width;
      rgb[i + 1] = (255 * y) / height - disc / 2;
      rgb[i + 2] = 128 + disc;
    }
  }
  return { width, height, rgb };
}

const quick: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps: 2, octaves: 2, octaveScale: 1.3, tileSize: 512 };

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe('octaveSizes', () => {
  it('goes from the smallest scale to the full size and drops octaves below the model minimum', () => {
    expect(octaveSizes(300, 400, 3, 2, 10)).toEqual([
      [75, 100],
      [150, 200],
      [300, 400],
    ]);
    expect(octaveSizes(300, 400, 4, 2, 76)).toEqual([
      [150, 200],
      [300, 400],
    ]);
  });
});

describe('tileGrid', () => {
  it('covers the image once with tiles of one shape no larger than the tile size, the last wrapping by a few pixels', () => {
    const grid = tileGrid(1000, 700, 512);
    expect(grid.length).toBe(2);
    expect(grid[0]!.length).toBe(2);
    const tiles = grid.flat();
    // One shape per grid: one compiled graph per octave.
    expect(new Set(tiles.map((t) => `${t.height}x${t.width}`)).size).toBe(1);
    for (const t of tiles) expect(Math.max(t.height, t.width)).toBeLessThanOrEqual(512);
    const owned = tiles.reduce((s, t) => s + t.ownHeight * t.ownWidth, 0);
    expect(owned).toBe(1000 * 700);
    // 1001 rows in 3 tiles of 334: the last owns 333 and wraps one row over the first.
    const odd = tileGrid(1001, 300, 400).flat();
    expect(odd.map((t) => [t.y, t.height, t.ownHeight])).toEqual([
      [0, 334, 334],
      [334, 334, 334],
      [668, 334, 333],
    ]);
  });
});

describe('tiledGradient', () => {
  it('equals the untiled gradient away from tile seams, and rolls without moving the result', async () => {
    const x = tf.randomUniform([1, 240, 240, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
    const data = x.dataSync() as Float32Array;
    x.dispose();
    const objective = layerMean('activation_5');
    const before = tf.memory().numTensors;
    const whole = await tiledGradient(model, data, 240, 240, objective, { tileSize: 512 });
    const tiled = await tiledGradient(model, data, 240, 240, objective, { tileSize: 120 });
    expect(tf.memory().numTensors).toBe(before);
    // activation_5 sees 23x23 pixels; compare a window 30 px clear of the seams at 120.
    const window = (g: Float32Array, oy: number, ox: number): Float32Array => {
      const out = new Float32Array(60 * 60 * 3);
      for (let r = 0; r < 60; r++) out.set(g.subarray(((oy + r) * 240 + ox) * 3, ((oy + r) * 240 + ox + 60) * 3), r * 60 * 3);
      return out;
    };
    expect(relativeError(window(tiled.gradient, 30, 30), window(whole.gradient, 30, 30))).toBeLessThan(1e-4);
    // Rolled by (16, 8) before tiling, the gradient comes back in the image's own coordinates:
    // a window clear of both the tile seams and the roll's wrap-around seam is unchanged.
    const rolled = await tiledGradient(model, data, 240, 240, objective, { tileSize: 512, roll: [16, 8] });
    expect(relativeError(window(rolled.gradient, 120, 120), window(whole.gradient, 120, 120))).toBeLessThan(1e-4);
  });
});

describe('dream', () => {
  it('changes the image, reports progress for every step, and frees its tensors', async () => {
    const input = picture(120, 96);
    const before = tf.memory().numTensors;
    const events: DreamProgress[] = [];
    const out = await dreamToEnd(model, input, quick, { onProgress: (p) => events.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.width).toBe(120);
    expect(out.height).toBe(96);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4]);
    expect(events.at(-1)!.total).toBe(4);
    expect(events.at(-1)!.etaMs).toBe(0);
    expect(meanAbsDiff(out.rgb, input.rgb)).toBeGreaterThan(0.5);
    for (const v of out.rgb) if (v < 0 || v > 255) throw new Error(`pixel out of range: ${v}`);
  });

  it('raises the objective it ascends', async () => {
    const input = picture(120, 96);
    const values: number[] = [];
    await dreamToEnd(model, input, { ...quick, octaves: 1, steps: 6, jitter: 0 }, { onProgress: (p) => values.push(p.value) });
    expect(values.at(-1)!).toBeGreaterThan(values[0]!);
  });

  it('gives identical pixels for the same recipe and seed, and different ones for another seed', async () => {
    const input = picture(100, 90);
    const a = await dreamToEnd(model, input, quick);
    const b = await dreamToEnd(model, input, quick);
    const c = await dreamToEnd(model, input, { ...quick, seed: 7 });
    expect(Buffer.from(a.rgb.buffer).equals(Buffer.from(b.rgb.buffer))).toBe(true);
    expect(meanAbsDiff(a.rgb, c.rgb)).toBeGreaterThan(0.01);
  });

  it('tiles large octaves and still frees everything', async () => {
    const input = picture(200, 160);
    const before = tf.memory().numTensors;
    const out = await dreamToEnd(model, input, { ...quick, octaves: 1, steps: 1, tileSize: 100 });
    expect(out.width).toBe(200);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dreams on channels with negative weights', async () => {
    const input = picture(100, 90);
    const recipe: Recipe = { ...quick, layers: [], channels: [{ layer: 'mixed4', index: 97, weight: 1 }, { layer: 'mixed3', index: 5, weight: -0.5 }] };
    const out = await dreamToEnd(model, input, recipe);
    expect(meanAbsDiff(out.rgb, input.rgb)).toBeGreaterThan(0.5);
  });

  it('stops at once when cancelled, leaving no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const it = dream(model, picture(100, 90), { ...quick, steps: 50 }, { signal: controller.signal });
    await it.next();
    controller.abort();
    await expect(it.next()).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses unknown layers, out-of-range channels and images too small for the layer, before any work', async () => {
    await expect(dreamToEnd(model, picture(100, 90), { ...quick, layers: [{ name: 'mixed55', weight: 1 }] })).rejects.toThrow(/mixed55.*Did you mean/);
    await expect(dreamToEnd(model, picture(100, 90), { ...quick, layers: [], channels: [{ layer: 'mixed3', index: 768, weight: 1 }] })).rejects.toThrow(/768 channels/);
    await expect(dreamToEnd(model, picture(40, 40), quick)).rejects.toThrow(/at least/);
  });

  it('objectives compose: a sum of layer means is the sum of their values', () => {
    const x = tf.randomUniform([1, 99, 99, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    const both = sum(layerMean('mixed3'), layerMean('mixed5'));
    const v = model.valueAndGradient(x, both.layers, both.fn);
    const a = model.valueAndGradient(x, ['mixed3'], layerMean('mixed3').fn);
    const b = model.valueAndGradient(x, ['mixed5'], layerMean('mixed5').fn);
    expect(v.value).toBeCloseTo(a.value + b.value, 5);
    tf.dispose([x, v.gradient, a.gradient, b.gradient]);
  });
});
