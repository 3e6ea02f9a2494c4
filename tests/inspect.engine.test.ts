// Feature visualization with the real model at small sizes: seeded, cancellable, cached, leak-free.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DreamModel } from '../engine/shared/model.ts';
import { channelMeans, FeatureCache, featureRecipe, recipeHash, visualize, visualizeDiverse, visualizeMany, type FeatureProgress } from '../engine/inspect/index.ts';
import { ImageTooSmallError } from '../engine/shared/errors.ts';
import type { RgbImage } from '../engine/shared/image.ts';
import { embeddedModel } from './helpers/embedded.ts';

const SMALL = { size: 64, steps: 3 } as const;
const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

let model: DreamModel;
let dir: string;

beforeAll(async () => {
  model = await embeddedModel();
  dir = await mkdtemp(join(tmpdir(), 'reverie-inspect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('visualize', () => {
  it('renders a channel from noise, reports progress, is seeded, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const events: FeatureProgress[] = [];
    const previews: RgbImage[] = [];
    const a = await visualize(model, { layer: 'mixed3', channel: 5 }, SMALL, { onProgress: (p) => events.push(p) && previews.push(p.preview()[0]!) });
    expect(tf.memory().numTensors).toBe(before);
    expect([a.width, a.height, a.rgb.length]).toEqual([64, 64, 64 * 64 * 3]);
    expect(events.map((e) => e.step)).toEqual([0, 1, 2]);
    expect(events.at(-1)!.done).toBe(events.at(-1)!.total);
    expect(previews.map((p) => p.width)).toEqual([64, 64, 64]);
    expect(() => events[0]!.preview()).toThrow(/only available while/);
    // The channel climbs even in three steps.
    const [early, late] = channelMeans(model, [previews[0]!, a], 'mixed3');
    expect(late![5]).toBeGreaterThan(early![5]!);
    const again = await visualize(model, { layer: 'mixed3', channel: 5 }, SMALL);
    expect(maxDiff(a.rgb, again.rgb)).toBe(0);
    const other = await visualize(model, { layer: 'mixed3', channel: 5 }, { ...SMALL, seed: 1 });
    expect(maxDiff(a.rgb, other.rgb)).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('renders layers, neurons and pixel-space images too, without leaks', async () => {
    const before = tf.memory().numTensors;
    for (const [target, recipe] of [
      [{ layer: 'mixed2' }, SMALL],
      [{ layer: 'mixed3', channel: 7, neuron: true }, SMALL],
      [{ layer: 'mixed3', channel: 7 }, { ...SMALL, param: 'pixel', decorrelate: false }],
    ] as const) {
      const img = await visualize(model, target, recipe);
      expect(img.rgb.every((v) => v >= 0 && v <= 255)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a channel renders the same alone as inside a batch (so cached images do not depend on batching)', async () => {
    const alone = await visualize(model, { layer: 'mixed3', channel: 40 }, SMALL);
    const { images } = await visualizeMany(model, [{ layer: 'mixed3', channel: 12 }, { layer: 'mixed3', channel: 40 }], SMALL, { batchSize: 2 });
    // Image by image (inspect/featureUnits.ts): the batch changes nothing; visualizeMany hands out rounded pixels.
    expect(maxDiff(alone.rgb, images[1]!.rgb)).toBeLessThanOrEqual(0.5);
  });

  it('diversity renders a batch of different images for one channel, without leaks', async () => {
    const before = tf.memory().numTensors;
    const images = await visualizeDiverse(model, { layer: 'mixed3', channel: 3 }, 2, 100, SMALL);
    expect(images).toHaveLength(2);
    expect(maxDiff(images[0]!.rgb, images[1]!.rgb)).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops at once on abort, leaking nothing and caching nothing', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const cache = new FeatureCache(join(dir, 'aborted'));
    const run = visualizeMany(model, [{ layer: 'mixed3', channel: 1 }], { ...SMALL, steps: 50 }, { cache, signal: controller.signal, onProgress: (p) => p.step === 1 && controller.abort() });
    await expect(run).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
    await expect(readdir(join(dir, 'aborted'))).rejects.toThrow();
  });

  it('refuses bad targets and sizes before any work', async () => {
    await expect(visualize(model, { layer: 'mixed99', channel: 0 }, SMALL)).rejects.toThrow(/mixed99/);
    await expect(visualize(model, { layer: 'mixed3', channel: 768 }, SMALL)).rejects.toThrow(/0-767/);
    await expect(visualize(model, { layer: 'mixed8', channel: 0 }, { ...SMALL, size: 32 })).rejects.toBeInstanceOf(ImageTooSmallError);
    expect(() => featureRecipe({ steps: 0 })).toThrow(/steps/);
  });
});

describe('the disk cache', () => {
  it('hits on the second call, misses on a changed recipe, and re-renders a damaged entry', async () => {
    const before = tf.memory().numTensors;
    const cache = new FeatureCache(join(dir, 'cache'));
    const targets = [{ layer: 'mixed3', channel: 2 }, { layer: 'mixed3', channel: 9 }];
    const first = await visualizeMany(model, targets, SMALL, { cache });
    expect(first.cached).toEqual([false, false]);
    const seen: boolean[] = [];
    const second = await visualizeMany(model, targets, SMALL, { cache, onImage: (_t, _img, fromCache) => seen.push(fromCache) });
    expect(second.cached).toEqual([true, true]);
    expect(seen).toEqual([true, true]);
    expect(maxDiff(first.images[1]!.rgb, second.images[1]!.rgb)).toBe(0);
    const changed = await visualizeMany(model, targets.slice(0, 1), { ...SMALL, steps: 2 }, { cache });
    expect(changed.cached).toEqual([false]);
    expect(recipeHash(featureRecipe(SMALL))).not.toBe(recipeHash(featureRecipe({ ...SMALL, steps: 2 })));
    // A truncated file counts as a miss and is replaced; no temp files are left behind.
    const file = cache.file(model.id, targets[0]!, featureRecipe(SMALL));
    await writeFile(file, Buffer.from('not a png'));
    const repaired = await visualizeMany(model, targets.slice(0, 1), SMALL, { cache });
    expect(repaired.cached).toEqual([false]);
    expect((await visualizeMany(model, targets.slice(0, 1), SMALL, { cache })).cached).toEqual([true]);
    const files = await readdir(join(dir, 'cache', 'inception_v3', 'mixed3'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.length).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('defaults to $REVERIE_CACHE_DIR/filters', () => {
    const saved = process.env['REVERIE_CACHE_DIR'];
    process.env['REVERIE_CACHE_DIR'] = '/somewhere';
    try {
      expect(new FeatureCache().dir).toBe(join('/somewhere', 'filters'));
    } finally {
      if (saved === undefined) delete process.env['REVERIE_CACHE_DIR'];
      else process.env['REVERIE_CACHE_DIR'] = saved;
    }
  });
});
