// Which cache key an inspect job looks up and stores under: the window backend the page will run it
// on, else the engine's own route by name, so a picture made on onnxruntime's WebGPU (or tfjs) never
// answers for the CPU route's, nor the other way round, and the CPU's entries keep their old names.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineCacheDevice } from '../engine/inspect/cache.ts';
import { featureRecipe } from '../engine/inspect/recipe.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { featureDevice } from '../host/inspectDevice.ts';
import { featureCacheDevice } from '../host/windowChoices.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const hardware = { webgl: { name: 'NVIDIA (WebGL2)', software: false }, webgpu: { name: 'NVIDIA (WebGPU)', software: false } };

describe('feature cache device', () => {
  it("names the engine's route, the CPU's unsuffixed", () => {
    expect(engineCacheDevice('cpu')).toBe('cpu');
    expect(engineCacheDevice(null)).toBe('cpu');
    expect(engineCacheDevice('window')).toBe('cpu');
    expect(engineCacheDevice('webgpu')).toBe('webgpu');
    expect(engineCacheDevice('tfjs')).toBe('tfjs');
  });

  it('looks up under the window backend when the window will run it, else under the engine route', () => {
    expect(featureCacheDevice('cpu', hardware, 'cpu')).toBe('cpu');
    expect(featureCacheDevice('webgpu', hardware, 'webgpu')).toBe('webgpu');
    expect(featureCacheDevice('auto', null, 'cuda')).toBe('cuda');
    expect(featureCacheDevice('window', hardware, 'cpu')).toBe('window-webgpu');
    expect(featureCacheDevice('window-webgl', hardware, 'cpu')).toBe('window-webgl');
    // No page open: the engine's own route does the work, and its key is the one looked up.
    expect(featureCacheDevice('window', null, 'webgpu')).toBe('webgpu');
  });

  it("stores each picture under the route its engine's last step ran on", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reverie-feature-device-'));
    dirs.push(dir);
    const recipe = featureRecipe({ size: 16, steps: 2 });
    const target = { layer: 'mixed3', channel: 4 };
    // Only the device report matters here: the cache reads where the engine ran, nothing else.
    const report = { device: 'webgpu' as string };
    const model = { get device() { return report; } } as unknown as DreamModel;
    const { cache } = featureDevice({ dir, rel: 'features', device: 'webgpu' }, model, undefined);
    expect(basename(cache.stored('inception_v3', target, recipe))).toMatch(/-webgpu\.png$/);
    report.device = 'cpu'; // a refused GPU shape fell back for this picture
    expect(basename(cache.stored('inception_v3', target, recipe))).toMatch(/^4-[0-9a-f]{16}\.png$/);
  });
});
