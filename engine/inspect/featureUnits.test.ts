// A channel sheet's images step image by image, in this thread or across worker threads: the same
// bytes with 0, 1 or 2 workers, the same bytes alone or in a batch, and no tensors left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from '../../tests/helpers/embedded.ts';
import type { DreamModel } from '../shared/model.ts';
import { GradientPool } from '../parallel/gradientPool.ts';
import { PoolKeeper } from '../parallel/poolKeeper.ts';
import { visualize } from './visualize.ts';
import { visualizeMany } from './channels.ts';
import type { FeatureTarget } from './targets.ts';

const SMALL = { size: 64, steps: 3 } as const;
// A redirected channel, a plain channel's neuron and a whole layer: each kind of per-image objective.
const TARGETS: FeatureTarget[] = [{ layer: 'mixed3', channel: 12 }, { layer: 'mixed3', channel: 40, neuron: true }, { layer: 'mixed2' }];
const bytes = (rgb: Float32Array): Buffer => Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);

let model: DreamModel;
const pools: GradientPool[] = [];
beforeAll(async () => {
  model = await embeddedModel();
  pools.push(await GradientPool.start({ size: 1, backend: 'wasm' }), await GradientPool.start({ size: 2, backend: 'wasm' }));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('feature images as units of work', () => {
  it('gives byte-identical images with 0, 1 and 2 workers, and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const local = await visualizeMany(model, TARGETS, SMALL, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    for (const pool of pools) {
      const pooled = await visualizeMany(model, TARGETS, SMALL, { batchSize: 3, pool });
      pooled.images.forEach((img, i) => expect(bytes(img.rgb).equals(bytes(local.images[i]!.rgb)), `image ${i} with ${pool.size} worker(s)`).toBe(true));
    }
    expect(tf.memory().numTensors).toBe(before);
    // The pictures are not all alike (each image followed its own target).
    expect(bytes(local.images[0]!.rgb).equals(bytes(local.images[1]!.rgb))).toBe(false);
  });

  it('renders a target alone exactly as inside a batch, whatever the batch size', async () => {
    const alone = await visualize(model, TARGETS[0]!, SMALL);
    const rounded = Float32Array.from(alone.rgb, (v) => Math.min(255, Math.max(0, Math.round(v))));
    const { images } = await visualizeMany(model, TARGETS.slice(0, 2), SMALL, { batchSize: 2, pool: pools[1]! });
    expect(bytes(images[0]!.rgb).equals(bytes(rounded))).toBe(true);
  });

  it('takes its workers from the layout rule for a batch of images, only when something is left to render', async () => {
    const keeper = new PoolKeeper({ model: 'inception_v3', backend: 'wasm', cores: 2 });
    expect(keeper.layoutForUnits(4)).toEqual({ workers: 2, threadsPerTile: 1 });
    expect(keeper.layoutForUnits(1)).toEqual({ workers: 0, threadsPerTile: 2 });
    const asked: number[] = [];
    const pools = { forUnits: async (n: number) => (asked.push(n), undefined) };
    await visualizeMany(model, TARGETS.slice(0, 2), { ...SMALL, steps: 1 }, { batchSize: 4, pools });
    expect(asked).toEqual([2]);
  });
});
