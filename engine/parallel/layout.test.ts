// The parallel layout: how many workers and threads a job gets, and that pixels never depend on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from '../../tests/helpers/embedded.ts';
import { encodePng } from '../io/image.ts';
import type { DreamModel } from '../shared/model.ts';
import { dreamToEnd } from '../render/dream.ts';
import { metadataText } from '../render/metadata.ts';
import { DEFAULT_RECIPE, type Recipe } from '../recipe/recipe.ts';
import { GradientPool } from './gradientPool.ts';
import { chooseLayout, tilesPerStep } from './layout.ts';
import { PoolKeeper } from './poolKeeper.ts';

describe('chooseLayout', () => {
  it('keeps a one-tile job in this thread on every core', () => {
    expect(chooseLayout(1, { cores: 2 })).toEqual({ workers: 0, threadsPerTile: 2 });
    expect(tilesPerStep(512, 512, 512)).toBe(1);
  });
  it('spreads a tiled job over one worker per core, one thread each, never more workers than tiles', () => {
    expect(chooseLayout(tilesPerStep(1920, 1280, 512), { cores: 2 })).toEqual({ workers: 2, threadsPerTile: 1 });
    expect(chooseLayout(3, { cores: 16 })).toEqual({ workers: 3, threadsPerTile: 5 });
    expect(chooseLayout(12, { cores: 1 })).toEqual({ workers: 0, threadsPerTile: 1 });
  });
  it('takes an explicit worker count and shares the cores among those workers', () => {
    expect(chooseLayout(12, { cores: 4, workers: 1 })).toEqual({ workers: 1, threadsPerTile: 4 });
    expect(chooseLayout(12, { cores: 4, workers: 0 })).toEqual({ workers: 0, threadsPerTile: 4 });
  });
});

/** A smooth test picture (gradients and a disc), so the dream has edges to grow on. */
function picture(width: number, height: number) {
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const disc = (x - width / 3) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2 ? 90 : 0;
      rgb[i] = (255 * x) / width;
      rgb[i + 1] = (255 * y) / height - disc / 2;
      rgb[i + 2] = 100 + disc;
    }
  }
  return { width, height, rgb };
}

describe('pixels do not depend on the layout', () => {
  let model: DreamModel;
  const pools: GradientPool[] = [];
  beforeAll(async () => {
    model = await embeddedModel();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('gives byte-identical PNGs with 0, 1 and 2 workers and 1 or 2 threads per tile (real model)', async () => {
    // Two octaves, each tiled 2x2 or 2x1, default layers: every tile crosses threads in the pooled runs.
    const recipe: Recipe = { ...DEFAULT_RECIPE, steps: 2, octaves: 2, octaveScale: 1.3, tileSize: 160 };
    const input = picture(260, 180);
    const meta = metadataText({ app: 'reverie', appVersion: 'test', backend: 'wasm', input: 'picture', createdAt: '2026-12-01T00:00:00.000Z', recipe });
    const png = async (pool?: GradientPool): Promise<Buffer> => {
      const out = await dreamToEnd(model, input, recipe, pool ? { pool } : {});
      return encodePng({ ...out, alpha: null }, meta);
    };
    const before = tf.memory().numTensors;
    const inThread = await png();
    expect(tf.memory().numTensors).toBe(before);
    const layouts = [
      { size: 1, threadsPerTile: 1 },
      { size: 1, threadsPerTile: 2 },
      { size: 2, threadsPerTile: 1 },
    ];
    for (const l of layouts) {
      const pool = await GradientPool.start({ ...l, backend: 'wasm' });
      pools.push(pool);
      const pooled = await png(pool);
      expect({ layout: l, same: pooled.equals(inThread) }).toEqual({ layout: l, same: true });
    }
    // The dream did something: the output is not the input.
    const untouched = await encodePng({ ...input, alpha: null }, meta);
    expect(inThread.equals(untouched)).toBe(false);
  });

  it('PoolKeeper starts a pool only for tiled jobs and keeps it for the next one', async () => {
    const keeper = new PoolKeeper({ model: 'inception_v3', backend: 'wasm', cores: 2 });
    try {
      expect(await keeper.forJob(200, 200, 512)).toBeUndefined();
      const pool = await keeper.forJob(600, 400, 512);
      expect(pool?.size).toBe(2);
      expect(await keeper.forJob(900, 700, 512)).toBe(pool);
    } finally {
      await keeper.close();
    }
  });
});
