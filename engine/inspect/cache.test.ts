// The feature cache is keyed by device: a picture stored for one device never answers for another,
// the CPU's entries keep the name they had before devices were keys, and a damaged entry is a miss.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureCache } from './cache.ts';
import { featureRecipe } from './recipe.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const picture = (v: number) => ({ width: 16, height: 16, rgb: new Float32Array(16 * 16 * 3).fill(v) });

describe('FeatureCache', () => {
  it('answers only for the device a picture was stored under', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reverie-feature-cache-'));
    dirs.push(dir);
    const recipe = featureRecipe({ size: 16, steps: 2 });
    const target = { layer: 'mixed3', channel: 4 };
    const cpu = new FeatureCache(dir);
    const window = new FeatureCache(dir, 'window-webgl');
    expect(cpu.device).toBe('cpu');
    await cpu.put('inception_v3', target, recipe, picture(10));
    expect(await window.get('inception_v3', target, recipe)).toBeNull();
    await window.put('inception_v3', target, recipe, picture(200));
    expect((await cpu.get('inception_v3', target, recipe))?.rgb[0]).toBe(10);
    expect((await window.get('inception_v3', target, recipe))?.rgb[0]).toBe(200);
    expect(await new FeatureCache(dir, 'window-webgpu').get('inception_v3', target, recipe)).toBeNull();
    // put(…, device) stores for another device than the cache's own (where the steps really ran).
    await window.put('inception_v3', target, recipe, picture(77), 'window+cpu');
    expect((await window.get('inception_v3', target, recipe))?.rgb[0]).toBe(200);
    expect((await new FeatureCache(dir, 'window+cpu').get('inception_v3', target, recipe))?.rgb[0]).toBe(77);
    expect(basename(cpu.file('inception_v3', target, recipe))).toMatch(/^4-[0-9a-f]{16}\.png$/);
    expect(basename(window.file('inception_v3', target, recipe))).toMatch(/^4-[0-9a-f]{16}-window-webgl\.png$/);
    await writeFile(window.file('inception_v3', target, recipe), 'not a png');
    expect(await window.get('inception_v3', target, recipe)).toBeNull();
  });
});
