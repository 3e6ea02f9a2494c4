// The app's dream jobs take the engine's parallel layout: a tiled job runs on the host's worker pool,
// with the same pixels as in one thread (real model, real sharp).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { embeddedModel } from './helpers/embedded.ts';
import { runDreamJob, type DreamJobContext } from '../host/dreamJob.ts';
import type { DreamJobSpec } from '../host/protocol.ts';
import { PoolKeeper } from '../engine/parallel/poolKeeper.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import type { DreamModel } from '../engine/shared/model.ts';

let dir: string;
let model: DreamModel;
const keeper = new PoolKeeper({ model: 'inception_v3', backend: 'wasm', cores: 2 });
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-dream-layout-'));
  model = await embeddedModel();
});
afterAll(async () => {
  await keeper.close();
  await rm(dir, { recursive: true, force: true });
});

describe('runDreamJob with the host pool', () => {
  it('dreams a tiled job across two workers with the same pixels as in this thread', async () => {
    const inputPath = join(dir, 'in.png');
    await sharp({ create: { width: 240, height: 170, channels: 3, background: { r: 90, g: 140, b: 200 } } })
      .composite([{ input: Buffer.from('<svg width="240" height="170"><circle cx="80" cy="85" r="50" fill="#c33"/></svg>') }])
      .png()
      .toFile(inputPath);
    const spec: DreamJobSpec = { kind: 'dream', jobId: 'j1', inputId: 'i1', inputPath, inputName: 'in.png', maxSide: 240, recipe: { ...DEFAULT_RECIPE, steps: 2, octaves: 1, tileSize: 130 } };
    const ctx = (pools?: PoolKeeper): DreamJobContext => ({ backend: 'wasm', appVersion: 'test', previewIntervalMs: 1e9, signal: new AbortController().signal, onProgress: () => undefined, model, ...(pools ? { pools } : {}) });
    const pixels = async (png: Uint8Array): Promise<Buffer> => sharp(png).raw().toBuffer();

    const alone = await runDreamJob(spec, ctx());
    const pooled = await runDreamJob(spec, ctx(keeper));
    expect(keeper.current?.size).toBe(2);
    if (alone.kind !== 'dream' || pooled.kind !== 'dream') throw new Error('expected dream outputs');
    expect((await pixels(pooled.png)).equals(await pixels(alone.png))).toBe(true);
    // The route the workers' tiles ran on is reported, as the in-thread one is (not a default).
    expect(pooled.route).toBe(alone.route);
    expect(keeper.current?.lastRoute).toBe(alone.route);
    expect((await pixels(alone.png)).equals(await sharp(inputPath).raw().toBuffer())).toBe(false);
  });
});
