// Tiles dreamed in worker threads give the same pixels as tiles dreamed in this thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from '../../tests/helpers/embedded.ts';
import { GradientPool } from './gradientPool.ts';
import { dreamToEnd } from '../render/dream.ts';
import { DEFAULT_RECIPE, type Recipe } from '../recipe/recipe.ts';
import type { DreamModel } from '../shared/model.ts';

let model: DreamModel;
let pool: GradientPool;
beforeAll(async () => {
  model = await embeddedModel();
  pool = await GradientPool.start({ size: 2, backend: 'wasm' });
});
afterAll(async () => {
  await pool.close();
});

function picture(width: number, height: number): { width: number; height: number; rgb: Float32Array } {
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (Math.sin(i * 0.001) * 0.5 + 0.5) * 255 * ((i % 3) / 3 + 0.3);
  return { width, height, rgb };
}

describe('GradientPool', () => {
  it('dreams tiled octaves across workers with the same pixels as one thread, and frees its tensors', async () => {
    const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], channels: [{ layer: 'mixed3', index: 4, weight: -0.5 }], steps: 2, octaves: 1, tileSize: 100 };
    const input = picture(190, 150);
    const local = await dreamToEnd(model, input, recipe);
    const before = tf.memory().numTensors;
    const pooled = await dreamToEnd(model, input, recipe, { pool });
    expect(tf.memory().numTensors).toBe(before);
    expect(Buffer.from(pooled.rgb.buffer).equals(Buffer.from(local.rgb.buffer))).toBe(true);
  });

  it('reports a worker-side error (unknown layer) as a rejected job, and keeps working', async () => {
    const pixels = new Float32Array(99 * 99 * 3);
    await expect(pool.gradient(pixels, 99, 99, { layers: [{ name: 'nope', weight: 1 }], channels: [] })).rejects.toThrow(/nope/);
    const ok = await pool.gradient(new Float32Array(99 * 99 * 3), 99, 99, { layers: [{ name: 'mixed0', weight: 1 }], channels: [] });
    expect(ok.gradient.length).toBe(99 * 99 * 3);
  });

  it('refuses work once closed', async () => {
    const p = await GradientPool.start({ size: 1, backend: 'wasm' });
    await p.close();
    await expect(p.gradient(new Float32Array(3 * 99 * 99), 99, 99, { layers: [{ name: 'mixed0', weight: 1 }], channels: [] })).rejects.toThrow(/closed/);
  });
});
