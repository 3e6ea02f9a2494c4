// Models, settings and presets through the host service, with the real engine in a worker thread:
// the list, switching to the embedded MobileNetV2 (a fresh worker, its curated layers, recipes for
// the other model refused), a dream with it, downloads from a loopback server with progress and
// cancel, class search on a model with a head, settings and presets in an isolated config folder,
// and the choice surviving a restart of the service.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvent } from '../contract/channels.ts';
import type { ModelDownload } from '../contract/models.ts';
import type { EngineStatus, InputImage } from '../contract/types.ts';
import { initBackend } from '../engine/backend.ts';
import { curatedRecipe } from '../engine/model/curated.ts';
import { writeTinyLayersModel } from './helpers/testModels.ts';
import { readDreamMetadata } from '../engine/render/metadata.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { loadSettings } from '../engine/settings/settings.ts';
import type { Service } from '../host/service.ts';
import { recordEvents, tempDir, testService } from './appHelpers.ts';
import { writeTestImage } from './helpers/cli.ts';
import { listenOnLoopback, closeLoopback } from './helpers/loopback.ts';

let dataDir: string;
let cacheDir: string;
let service: Service;
let events: ReturnType<typeof recordEvents>;
let input: InputImage;
let http: Server;
let base: string;
const served = new Map<string, Buffer>();
let stall = false;

/** The engine's next ready status (or failure), after a switch. */
function nextStatus(s: Service, from: number, log: HostEvent[]): Promise<EngineStatus> {
  return new Promise((resolve) => {
    const seen = (): EngineStatus | undefined =>
      log.slice(from).flatMap((e) => (e.channel === 'engine.changed' && e.payload.state !== 'starting' ? [e.payload] : []))[0];
    const now = seen();
    if (now) return resolve(now);
    const stop = s.subscribe(() => {
      const got = seen();
      if (got) {
        stop();
        resolve(got);
      }
    });
  });
}

function downloadEnd(downloadId: string): Promise<ModelDownload> {
  const ended = (): ModelDownload | undefined =>
    events.events.flatMap((e) => (e.channel === 'models.download' && e.payload.downloadId === downloadId && e.payload.state !== 'downloading' ? [e.payload] : []))[0];
  return new Promise((resolve) => {
    const now = ended();
    if (now) return resolve(now);
    const stop = service.subscribe(() => {
      const got = ended();
      if (got) {
        stop();
        resolve(got);
      }
    });
  });
}

beforeAll(async () => {
  dataDir = await tempDir('models');
  cacheDir = join(dataDir, 'cache');
  await initBackend('wasm'); // the test model's writer makes its weights with tfjs
  const tiny = await writeTinyLayersModel(join(dataDir, 'served'), { shards: 2, classes: 10, userDefinedMetadata: { classLabels: Array.from({ length: 10 }, (_, i) => `digit ${i}`) } });
  served.set('model.json', await readFile(tiny.modelJsonPath));
  for (const p of tiny.shardPaths) served.set(p.split('/').pop()!, await readFile(p));
  http = createServer((req, res) => {
    const body = served.get((req.url ?? '').split('/').pop() ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length });
    // A stalled server sends half a shard and then nothing: only cancel ends that download.
    if (stall && req.url?.endsWith('.bin')) return void res.write(body.subarray(0, body.length >> 1));
    res.end(body);
  });
  base = await listenOnLoopback(http);
  // The test's model server is on 127.0.0.1: this host opts in to loopback (and only loopback).
  service = testService(dataDir, 0, { cacheDir, allowLoopbackModels: true });
  events = recordEvents(service);
  const png = join(dataDir, 'photo.png');
  await writeTestImage(png, 80, 64);
  input = await service.handlers['image.import']({ name: 'photo.png', data: await readFile(png) });
}, 60_000);
afterAll(async () => {
  await service?.close();
  if (!http) return;
  await closeLoopback(http);
});

describe('models', () => {
  it('lists the embedded models (InceptionV3 active) and the catalogue, with curated layers and recipes', async () => {
    const list = await service.handlers['models.list']({});
    const inception = list.find((m) => m.name === 'inception_v3')!;
    const mobilenet = list.find((m) => m.name === 'mobilenet_v2')!;
    expect(inception).toMatchObject({ kind: 'embedded', installed: true, active: true });
    expect(mobilenet).toMatchObject({ kind: 'embedded', installed: true, active: false });
    expect(mobilenet.bytes).toBeGreaterThan(1_000_000);
    expect(mobilenet.training).toMatch(/ImageNet/i);
    expect(mobilenet.layers.map((l) => l.name)).toContain('block_6_expand_relu');
    expect(mobilenet.recipes[0]!.recipe).toEqual(curatedRecipe('mobilenet_v2'));
    expect(list.some((m) => m.kind === 'catalogue' && !m.installed && m.url?.startsWith('https://'))).toBe(true);
  });

  it('says the embedded head is not ImageNet: no class search offered', async () => {
    await service.handlers['model.layers']({});
    const search = await service.handlers['models.classes']({ query: 'jellyfish' });
    expect(search).toMatchObject({ modelId: 'inception_v3', available: false, matches: [] });
    expect(search.reason).toMatch(/not the 1000 ImageNet classes|cannot be run/);
  });

  it('switches to MobileNetV2 in a fresh worker, remembers it, refuses recipes for the other model, and dreams with it', async () => {
    const from = events.events.length;
    const answer = await service.handlers['models.select']({ name: 'mobilenet_v2' });
    expect(answer).toEqual({ state: 'starting', modelId: 'mobilenet_v2' });
    const ready = await nextStatus(service, from, events.events);
    expect(ready).toMatchObject({ state: 'ready', modelId: 'mobilenet_v2' });
    expect((await loadSettings(join(dataDir, 'config'))).value.lastUsed.model).toBe('mobilenet_v2');
    const layers = await service.handlers['model.layers']({});
    expect(layers.map((l) => l.name)).toEqual((await service.handlers['models.list']({})).find((m) => m.name === 'mobilenet_v2')!.layers.map((l) => l.name));
    expect(layers.find((l) => l.name === 'block_6_expand_relu')).toMatchObject({ training: 'imagenet', note: 'tiles and patterns' });
    expect(layers.find((l) => l.name === 'out_relu')!.training).toBe('fine-tuned');

    await expect(service.handlers['dream.start']({ inputId: input.id, recipe: { ...DEFAULT_RECIPE, steps: 1, octaves: 1 }, maxSide: 64 })).rejects.toMatchObject({
      name: 'BadRequestError',
      message: expect.stringMatching(/for inception_v3, but mobilenet_v2 is loaded/),
    });
    // Zooms too: refused on the recipe, before its settings are read.
    await expect(service.handlers['zoom.preview']({ inputId: input.id, recipe: { ...DEFAULT_RECIPE, steps: 1, octaves: 1 }, settings: {} as never, maxSide: 64 })).rejects.toMatchObject({
      message: expect.stringMatching(/for inception_v3, but mobilenet_v2 is loaded/),
    });
    const recipe = { ...curatedRecipe('mobilenet_v2'), steps: 2, octaves: 1, seed: 3 };
    const ticket = await service.handlers['dream.start']({ inputId: input.id, recipe, maxSide: 80 });
    const done = await events.finished(ticket.jobId);
    expect(done.state).toBe('done');
    if (done.state !== 'done' || done.item?.kind !== 'dream') throw new Error('no dream');
    expect(done.item.recipe.model).toBe('mobilenet_v2');
    const meta = await readDreamMetadata(join(dataDir, 'gallery', done.item.id, 'result.png'));
    expect(meta?.recipe).toEqual(recipe);
    expect((await loadSettings(join(dataDir, 'config'))).value.lastUsed.recipe).toEqual(recipe);
  }, 120_000);

  it('a restarted service loads the last used model and backend from settings', async () => {
    const again = testService(dataDir, 0, { cacheDir });
    try {
      const log: HostEvent[] = [];
      again.subscribe((e) => log.push(e));
      expect(await again.handlers['engine.status']({})).toEqual({ state: 'starting', modelId: 'mobilenet_v2' });
      expect(await nextStatus(again, 0, log)).toMatchObject({ state: 'ready', modelId: 'mobilenet_v2' });
      expect((await again.handlers['models.list']({})).find((m) => m.active)?.name).toBe('mobilenet_v2');
    } finally {
      await again.close();
    }
  }, 120_000);

  it('refuses to remove the embedded or the active model, and to select what is not installed', async () => {
    await expect(service.handlers['models.remove']({ name: 'mobilenet_v2' })).rejects.toMatchObject({ name: 'BusyError' });
    await expect(service.handlers['models.remove']({ name: 'inception_v3' })).rejects.toMatchObject({ name: 'ModelManagerError', message: expect.stringMatching(/embedded/) });
    await expect(service.handlers['models.select']({ name: 'mobilenet_v1_100' })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringMatching(/not downloaded yet/) });
    await expect(service.handlers['models.select']({ name: 'nope' })).rejects.toMatchObject({ name: 'BadRequestError' });
  });

  it('downloads a model from a URL with its size first and progress events, then searches its declared class labels', async () => {
    const size = await service.handlers['models.probe']({ spec: `${base}/tiny/model.json` });
    const total = [...served.values()].reduce((a, b) => a + b.length, 0);
    expect(size).toMatchObject({ installed: false, totalBytes: total, files: 3 });
    const started = await service.handlers['models.add']({ spec: `${base}/tiny/model.json`, name: 'tiny' });
    expect(started.state).toBe('downloading');
    const end = await downloadEnd(started.downloadId);
    expect(end).toMatchObject({ state: 'done', model: { name: 'tiny', installed: true, kind: 'url' } });
    const progress = events.events.filter((e) => e.channel === 'models.download' && e.payload.downloadId === started.downloadId);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect((await service.handlers['models.list']({})).find((m) => m.name === 'tiny')?.installed).toBe(true);

    const from = events.events.length;
    await service.handlers['models.select']({ name: 'tiny' });
    expect(await nextStatus(service, from, events.events)).toMatchObject({ state: 'ready' });
    const search = await service.handlers['models.classes']({ query: 'digit 3' });
    expect(search).toMatchObject({ available: true, total: 10, matches: [{ index: 3, label: 'digit 3' }] });

    // Back to MobileNetV2, then the downloaded model can go.
    const back = events.events.length;
    await service.handlers['models.select']({ name: 'mobilenet_v2' });
    await nextStatus(service, back, events.events);
    expect(await service.handlers['models.remove']({ name: 'tiny' })).toMatchObject({ name: 'tiny' });
    expect((await service.handlers['models.list']({})).some((m) => m.name === 'tiny')).toBe(false);
  }, 120_000);

  it('cancels a download that stalls, leaving nothing installed', async () => {
    stall = true;
    try {
      const started = await service.handlers['models.add']({ spec: `${base}/stalled/model.json`, name: 'stalled' });
      await expect(service.handlers['models.add']({ spec: `${base}/stalled/model.json` })).rejects.toMatchObject({ name: 'BusyError' });
      await new Promise((r) => setTimeout(r, 200));
      expect(await service.handlers['models.cancel']({ downloadId: started.downloadId })).toEqual({ cancelled: true });
      expect(await downloadEnd(started.downloadId)).toMatchObject({ state: 'cancelled' });
      expect((await service.handlers['models.list']({})).some((m) => m.name === 'stalled')).toBe(false);
      expect(await service.handlers['models.cancel']({ downloadId: started.downloadId })).toEqual({ cancelled: false });
    } finally {
      stall = false;
    }
  }, 30_000);
});

describe('settings and presets', () => {
  it('describes the backends, persists the default recipe, and refuses bad values with their reason', async () => {
    const view = await service.handlers['settings.get']({});
    expect(view.file).toBe('…/settings.json'); // outside the home folder: its name only
    expect(view.file).not.toContain(dataDir); // never an absolute path
    expect(view.backends.map((b) => b.choice)).toEqual(['auto', 'tensorflow', 'wasm', 'cpu', 'webgl']);
    expect(view.backends.filter((b) => b.fastest)).toHaveLength(1);
    expect(view.backendPinned).toBe('wasm');
    const recipe = { ...curatedRecipe('mobilenet_v2', 'textures'), steps: 4 };
    const after = await service.handlers['settings.update']({ defaultRecipe: recipe, outputFolder: dataDir });
    expect(after.settings).toMatchObject({ defaultRecipe: recipe, outputFolder: dataDir, lastUsed: { model: 'mobilenet_v2', recipe: { model: 'mobilenet_v2' } } });
    expect((await loadSettings(join(dataDir, 'config'))).value.defaultRecipe).toEqual(recipe);
    await expect(service.handlers['settings.update']({ backend: 'warp' as never })).rejects.toMatchObject({ name: 'SettingsError', message: expect.stringMatching(/"backend" must be one of/) });
    // The engine's own backend runs in Node: WebGL is the window device's (Device "window-webgl"), and the refusal says so.
    await expect(service.handlers['settings.update']({ backend: 'webgl' })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringMatching(/not available here.*Device setting "window-webgl"/) });
    await expect(service.handlers['settings.update']({ outputFolder: join(dataDir, 'missing') })).rejects.toMatchObject({ name: 'BadRequestError' });
    await expect(service.handlers['settings.update']({ colour: 'red' } as never)).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringMatching(/Unknown setting "colour"/) });
    expect((await loadSettings(join(dataDir, 'config'))).value.outputFolder).toBe(dataDir);
  });

  it('changing the backend restarts the engine on it, unless this launch pins one', async () => {
    const pinned = await service.handlers['settings.update']({ backend: 'cpu' });
    expect(pinned).toMatchObject({ backendPinned: 'wasm', settings: { backend: 'cpu' } });
    expect(await service.handlers['engine.status']({})).toMatchObject({ state: 'ready', backend: 'wasm' });
    await service.handlers['settings.update']({ backend: 'auto' });

    const free = testService(await tempDir('backend'), 0, { pinBackend: false });
    try {
      const log: HostEvent[] = [];
      free.subscribe((e) => log.push(e));
      expect(await nextStatus(free, 0, log)).toMatchObject({ state: 'ready', modelId: 'inception_v3' });
      const from = log.length;
      const view = await free.handlers['settings.update']({ backend: 'cpu' });
      expect(view).toMatchObject({ backendPinned: null, settings: { backend: 'cpu' } });
      expect(await nextStatus(free, from, log)).toMatchObject({ state: 'ready', backend: 'cpu', modelId: 'inception_v3' });
    } finally {
      await free.close();
    }
  }, 120_000);

  it('the Device setting lists what this machine offers, refuses an absent device, and restarts the engine on a new one', async () => {
    const own = testService(await tempDir('device'), 0, { pinBackend: false });
    try {
      const log: HostEvent[] = [];
      own.subscribe((e) => log.push(e));
      expect(await nextStatus(own, 0, log)).toMatchObject({ state: 'ready', modelId: 'inception_v3', device: 'cpu' });
      const view = await own.handlers['settings.get']({});
      expect(view.settings.device).toBe('auto');
      expect(view.devices.map((d) => d.choice)).toEqual(['auto', 'cpu', 'webgpu', 'dml', 'coreml', 'cuda', 'window', 'window-webgl', 'window-webgpu']);
      // Browser mode carries the window devices over its socket (tests/e2e/windowDream.test.ts runs them).
      expect(view.devices.find((d) => d.choice === 'window')).toMatchObject({ available: true, note: expect.stringMatching(/window's best hardware GPU \(WebGPU, then WebGL2; never a software GPU\)/) });
      expect(view.devices.find((d) => d.choice === 'window-webgpu')).toMatchObject({ available: true, note: expect.stringMatching(/window's WebGPU \(used even when it is a software GPU\)/) });
      expect(view.devices.find((d) => d.choice === 'cuda')).toMatchObject({ available: false, note: expect.stringMatching(/fetch-cuda/) });
      await expect(own.handlers['settings.update']({ device: 'cuda' })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringMatching(/cuda device is not available here/) });
      await expect(own.handlers['settings.update']({ device: 'gpu' as never })).rejects.toMatchObject({ name: 'SettingsError', message: expect.stringMatching(/"device" must be one of auto, cpu, webgpu.*window, window-webgl, window-webgpu/) });
      const from = log.length;
      expect((await own.handlers['settings.update']({ device: 'cpu' })).settings.device).toBe('cpu');
      expect(await nextStatus(own, from, log)).toMatchObject({ state: 'ready', device: 'cpu', accelerator: expect.stringMatching(/^onnxruntime-node [\d.]+, \d+ threads?$/) });
    } finally {
      await own.close();
    }
  }, 120_000);

  it('saves, renames, exports, imports and deletes presets', async () => {
    const recipe = { ...curatedRecipe('mobilenet_v2'), stepSize: 0.9 };
    const saved = await service.handlers['presets.save']({ name: 'soft mobile', recipe, description: 'gentle' });
    expect(saved).toMatchObject({ name: 'soft mobile', description: 'gentle', recipe });
    await expect(service.handlers['presets.save']({ name: 'soft mobile', recipe })).rejects.toMatchObject({ name: 'PresetError' });
    await expect(service.handlers['presets.save']({ name: 'bad', recipe: { ...recipe, octaves: 99 } })).rejects.toMatchObject({ name: 'RecipeError' });
    expect(await service.handlers['presets.rename']({ from: 'soft mobile', to: 'soft' })).toMatchObject({ name: 'soft' });
    const exported = await service.handlers['presets.export']({ name: 'soft' });
    expect(exported.fileName).toBe('soft.reverie-preset.json');
    expect(JSON.parse(exported.json)).toMatchObject({ reverie: 'preset', version: 1, name: 'soft', recipe });
    const data = new TextEncoder().encode(exported.json);
    await expect(service.handlers['presets.import']({ file: { name: exported.fileName, data } })).rejects.toMatchObject({ name: 'PresetError', message: expect.stringMatching(/exists/) });
    expect(await service.handlers['presets.import']({ file: { name: exported.fileName, data }, as: 'soft copy' })).toMatchObject({ name: 'soft copy', recipe });
    await expect(service.handlers['presets.import']({ file: { name: 'x.json', data: new TextEncoder().encode('{nope') } })).rejects.toMatchObject({ name: 'PresetError', message: expect.stringMatching(/x.json: not valid JSON/) });
    expect((await service.handlers['presets.list']({})).map((p) => p.name).sort()).toEqual(['soft', 'soft copy']);
    expect(await service.handlers['presets.delete']({ name: 'soft copy' })).toEqual({ deleted: true });
    await expect(service.handlers['presets.delete']({ name: 'soft copy' })).rejects.toMatchObject({ name: 'PresetError' });
    expect((await service.handlers['presets.list']({})).map((p) => p.name)).toEqual(['soft']);
  });
});
