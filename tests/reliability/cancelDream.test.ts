// Cancelling a dream (AbortSignal) at any point, in this thread or across a worker pool: no tensor is
// left behind, a pool stays usable after the cancel, and closing it ends every worker thread.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from '../helpers/embedded.ts';
import { GradientPool } from '../../engine/parallel/gradientPool.ts';
import { dream, dreamToEnd } from '../../engine/render/dream.ts';
import { DEFAULT_RECIPE, type Recipe } from '../../engine/recipe/recipe.ts';
import type { DreamModel } from '../../engine/shared/model.ts';
import type { RgbImage } from '../../engine/shared/image.ts';

let model: DreamModel;
beforeAll(async () => {
  model = await embeddedModel();
});

function picture(width: number, height: number): RgbImage {
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (Math.sin(i * 0.002) * 0.5 + 0.5) * 255 * ((i % 3) / 3 + 0.3);
  return { width, height, rgb };
}

/** OS threads of this process (Linux; elsewhere null and only the workers' own state is checked). */
function threadCount(): number | null {
  try {
    return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  } catch {
    return null;
  }
}

/** Runs a dream and aborts it once `at(progressIndex)` says so; resolves to 'cancelled' or 'finished'. */
async function dreamCancelledAt(input: RgbImage, recipe: Recipe, at: (done: number) => boolean, extra: { pool?: GradientPool; abortInFlight?: boolean } = {}): Promise<'cancelled' | 'finished'> {
  const controller = new AbortController();
  if (at(0)) controller.abort();
  const it = dream(model, input, recipe, { signal: controller.signal, ...(extra.pool ? { pool: extra.pool } : {}) });
  try {
    for (;;) {
      const next = it.next();
      // While tiles are out in worker threads: the cancel arrives mid-step.
      if (extra.abortInFlight) setTimeout(() => controller.abort(), 5);
      const r = await next;
      if (r.done) return 'finished';
      if (at(r.value.done)) controller.abort();
    }
  } catch (err) {
    expect((err as Error).name).toBe('AbortError');
    return 'cancelled';
  }
}

const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], channels: [{ layer: 'mixed3', index: 7, weight: 0.5 }], steps: 2, octaves: 2, octaveScale: 1.3 };

describe('cancelling a dream', () => {
  it.each([
    ['before it starts', (done: number) => done === 0, 'cancelled'],
    ['after the first step', (done: number) => done === 1, 'cancelled'],
    ['between octaves', (done: number) => done === 2, 'cancelled'],
    ['after the last step (the result is already made)', (done: number) => done === 4, 'finished'],
  ] as const)('%s leaves no tensors', async (_label, at, ends) => {
    const before = tf.memory().numTensors;
    expect(await dreamCancelledAt(picture(96, 80), recipe, at)).toBe(ends);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('across a worker pool: cancelled mid-step with tiles in flight, the pool still works, and closing it ends its threads', async () => {
    const tiled: Recipe = { ...recipe, octaves: 1, tileSize: 64, steps: 3 };
    const input = picture(128, 96); // 2x2 tiles of at most 64 px
    // This thread's own dream first: its onnxruntime sessions (and their thread) stay cached in the
    // model, so they must exist before the thread count the pool is held to.
    const local = await dreamToEnd(model, input, tiled);
    const threadsBefore = threadCount();
    const pool = await GradientPool.start({ size: 2, backend: 'wasm' });
    const workers = (pool as unknown as { workers: Array<{ threadId: number }> }).workers;
    expect(workers.every((w) => w.threadId > 0)).toBe(true);
    const before = tf.memory().numTensors;
    try {
      expect(await dreamCancelledAt(input, tiled, () => false, { pool, abortInFlight: true })).toBe('cancelled');
      expect(await dreamCancelledAt(input, tiled, (done) => done === 1, { pool })).toBe('cancelled');
      // Nothing is stuck in the pool: the same recipe dreams to the end, with the same pixels as this thread.
      const viaPool = await dreamToEnd(model, input, tiled, { pool });
      expect(Buffer.from(viaPool.rgb.buffer).equals(Buffer.from(local.rgb.buffer))).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await pool.close();
    }
    expect(workers.map((w) => w.threadId)).toEqual([-1, -1]); // a terminated worker's threadId is -1
    if (threadsBefore !== null) expect(threadCount()).toBeLessThanOrEqual(threadsBefore);
    await expect(pool.gradient(new Float32Array(3), 1, 1, { layers: [], channels: [] })).rejects.toThrow(/closed/);
  });
});
