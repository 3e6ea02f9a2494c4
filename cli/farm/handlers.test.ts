// The farm's job handlers on the real embedded model: each kind returns the right shape, leaves no
// tensors behind (the worker runs thousands of them), and refuses what the engine refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../engine/backend.ts';
import type { DreamModel } from '../../engine/shared/model.ts';
import { tileFloat32, encodeBytes, type ModelRef } from '../../farm/kinds.ts';
import type { JobHandlers } from '../../farm/worker.ts';
import { jobHandlers, imageToRaw } from './handlers.ts';
import { loadFarmModel, modelFingerprint } from './model.ts';

let model: DreamModel;
let ref: ModelRef;
let handlers: JobHandlers;
const signal = new AbortController().signal;
beforeAll(async () => {
  await initBackend('wasm');
  ({ model, ref } = await loadFarmModel('inception_v3'));
  handlers = jobHandlers(model, ref);
});
afterAll(() => model?.dispose());

describe('farm job handlers', () => {
  it('fingerprints the model the same way twice, and refuses paths and URLs as model names', async () => {
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await modelFingerprint('embedded:inception_v3')).sha256).toBe(ref.sha256);
    await expect(modelFingerprint('/tmp/some/model.json')).rejects.toThrow(/farm workers load models by name only/);
    await expect(modelFingerprint('https://example.com/model.json')).rejects.toThrow(/path or URL/);
  });

  it('runs each kind without leaking tensors', async () => {
    const run = async (): Promise<void> => {
      const feature = await handlers.feature({ model: ref, layer: 'mixed0', channel: 3, recipe: { size: 32, steps: 2 } }, signal);
      expect([feature.width, feature.height]).toEqual([32, 32]);
      const rgb = new Float32Array(80 * 96 * 3).map((_, i) => (i * 37) % 256);
      const dreamed = await handlers['dream-image']({ model: ref, recipe: { layers: [{ name: 'mixed3', weight: 1 }], steps: 1, octaves: 1 }, image: imageToRaw({ width: 96, height: 80, rgb }) }, signal);
      expect([dreamed.width, dreamed.height]).toEqual([96, 80]);
      const tile = new Float32Array(80 * 80 * 3).map((_, i) => Math.sin(i) * 0.5);
      const g = await handlers['dream-tile']({ model: ref, terms: { layers: [{ name: 'mixed3', weight: 1 }] }, tile: { width: 80, height: 80, data: encodeBytes(tile) } }, signal);
      const gradient = tileFloat32(g.gradient);
      expect(Number.isFinite(g.value)).toBe(true);
      expect(gradient.some((v) => v !== 0)).toBe(true);
    };
    await run(); // first run prepares kernels and caches
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses layers the model lacks and images too small for the recipe, with the engine’s errors', async () => {
    await expect(handlers.feature({ model: ref, layer: 'mixed99', channel: 0, recipe: { size: 32, steps: 1 } }, signal)).rejects.toThrow(/mixed99/);
    const tiny = imageToRaw({ width: 12, height: 12, rgb: new Float32Array(12 * 12 * 3) });
    await expect(handlers['dream-image']({ model: ref, recipe: { layers: [{ name: 'mixed5', weight: 1 }] }, image: tiny }, signal)).rejects.toMatchObject({ name: 'ImageTooSmallError' });
  });
});
