// Models, settings and presets in the renderer against a scripted host: the model list and switching,
// downloads followed by their events, the app restoring the last used recipe for the loaded model,
// the recipe, layers and presets following a switch, and presets saved, renamed, shared and imported.
import { describe, expect, it } from 'vitest';
import type { ModelDownload, ModelInfo, SettingsView, UserPreset } from '../../contract/models.ts';
import type { Recipe } from '../../contract/types.ts';
import { DEFAULT_RECIPE } from '../../engine/recipe/recipe.ts';
import { DEFAULT_PATTERN_SIZE } from '../../engine/recipe/octavePlan.ts';
import { lastUsedLines } from '../lib/lastUsed.ts';
import { sizeAware } from '../lib/modelRecipes.ts';
import { DEFAULT_PRESET } from '../lib/presets.ts';
import { AppState } from './app.svelte.ts';
import { isDownload, ModelsState } from './models.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { PresetsState, SettingsState } from './settings.svelte.ts';
import { failure, testHost, type Script } from './testHost.ts';

const mobileRecipe: Recipe = { ...DEFAULT_PRESET.recipe, model: 'mobilenet_v2', layers: [{ name: 'block_6_expand_relu', weight: 1 }, { name: 'block_10_expand_relu', weight: 1 }] };
const model = (name: string, active: boolean, extra: Partial<ModelInfo> = {}): ModelInfo => ({
  name, title: name, kind: 'embedded', installed: true, format: 'layers-model', bytes: 1000, training: 'ImageNet', classes: 'no', active,
  layers: name === 'mobilenet_v2' ? [{ name: 'block_6_expand_relu', note: 'tiles' }, { name: 'block_10_expand_relu', note: 'spots' }] : [],
  recipes: name === 'mobilenet_v2' ? [{ name: 'classic', description: 'patterns', recipe: mobileRecipe }, { name: 'textures', description: 'fine', recipe: { ...mobileRecipe, layers: [{ name: 'block_3_expand_relu', weight: 1 }] } }] : [],
  ...extra,
});
const catalogue = model('mobilenet_v1_100', false, { kind: 'catalogue', installed: false, bytes: null });
const settingsView = (lastUsed: SettingsView['settings']['lastUsed'] = {}, defaultRecipe: Recipe = DEFAULT_PRESET.recipe): SettingsView => ({
  settings: { version: 1, backend: 'auto', device: 'auto', defaultRecipe, outputFolder: null, lastUsed, farmUrl: null, farmInsecure: false },
  backends: [{ choice: 'wasm', description: 'WebAssembly', available: true, fastest: true }],
  devices: [{ choice: 'auto', available: true, note: 'a real GPU when one answers, else the CPU' }],
  file: '/cfg/settings.json',
  backendPinned: null,
});
const quietNotices = () => new Notices({ set: () => undefined });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ModelsState', () => {
  function setup(script: Script = {}) {
    let active = 'inception_v3';
    const host = testHost({
      'models.list': () => [model('inception_v3', active === 'inception_v3'), model('mobilenet_v2', active === 'mobilenet_v2'), catalogue],
      'models.select': ({ name }) => {
        if (name === 'broken') throw failure('BadRequestError', 'There is no model named "broken".');
        active = name;
        return { state: 'starting', modelId: name };
      },
      'models.probe': ({ spec }) => ({ name: spec, url: spec, totalBytes: 4_200_000, files: 2, installed: false }),
      'models.add': ({ spec }) => ({ downloadId: 'dl1', spec, state: 'downloading', loadedBytes: 0, totalBytes: null }),
      ...script,
    });
    const notices = quietNotices();
    return { host, notices, models: new ModelsState({ api: host.api, notices }) };
  }

  it('lists installed and available models, and switches the active one through the host', async () => {
    const { models, host, notices } = setup();
    await models.refresh();
    expect(models.active?.name).toBe('inception_v3');
    expect(models.installed.map((m) => m.name)).toEqual(['inception_v3', 'mobilenet_v2']);
    expect(models.available.map((m) => m.name)).toEqual(['mobilenet_v1_100']);
    expect(await models.select('mobilenet_v2')).toBe(true);
    expect(host.calls.at(-1)).toEqual({ channel: 'models.select', request: { name: 'mobilenet_v2' } });
    expect(models.active?.name).toBe('mobilenet_v2');
    expect(models.selecting).toBeNull();
    expect(await models.select('broken')).toBe(false);
    expect(models.active?.name).toBe('mobilenet_v2');
    expect(notices.list.at(-1)).toMatchObject({ kind: 'error', title: 'Could not switch to broken', message: expect.stringContaining('no model named') });
  });

  it('shows the size first for downloads only, and follows a download to its end', async () => {
    const { models, host, notices } = setup();
    await models.refresh();
    expect(isDownload('https://x/model.json', models.list)).toBe(true);
    expect(isDownload('mobilenet_v1_100', models.list)).toBe(true);
    expect(isDownload('/home/me/model', models.list)).toBe(false);
    await models.probe('/home/me/model');
    expect(host.calls.some((c) => c.channel === 'models.probe')).toBe(false);
    models.addSpec = 'mobilenet_v1_100';
    await models.probe();
    expect(models.size?.totalBytes).toBe(4_200_000);

    await models.add();
    expect(models.addSpec).toBe('');
    expect(models.downloadOf('mobilenet_v1_100')?.downloadId).toBe('dl1');
    const step = (d: Partial<ModelDownload>): ModelDownload => ({ downloadId: 'dl1', spec: 'mobilenet_v1_100', state: 'downloading', loadedBytes: 0, totalBytes: 4_000_000, ...d });
    models.onDownload(step({ loadedBytes: 1_000_000 }));
    expect(models.fraction(models.downloads[0]!)).toBe(0.25);
    await models.add('mobilenet_v1_100', '');
    expect(host.calls.filter((c) => c.channel === 'models.add')).toHaveLength(1); // no second download of the same model
    models.onDownload(step({ state: 'done', loadedBytes: 4_000_000, model: { ...catalogue, installed: true } }));
    models.onDownload(step({ loadedBytes: 3_000_000 })); // a late progress event does not undo the end
    expect(models.downloads[0]!.state).toBe('done');
    expect(models.downloadOf('mobilenet_v1_100')).toBeNull();
    expect(notices.list.at(-1)).toMatchObject({ kind: 'success', title: 'Added mobilenet_v1_100' });
    await tick();
    expect(host.calls.filter((c) => c.channel === 'models.list')).toHaveLength(2);

    models.onDownload({ downloadId: 'dl2', spec: 'https://x/model.json', state: 'failed', loadedBytes: 0, totalBytes: null, error: { name: 'ModelLoadError', message: 'https://x/model.json: HTTP 404' } });
    expect(notices.list.at(-1)).toMatchObject({ kind: 'error', title: 'Could not add https://x/model.json', message: expect.stringContaining('HTTP 404') });
  });

  it('searches class labels; the newest query wins', async () => {
    const answers: Array<(v: unknown) => void> = [];
    const { models } = setup({ 'models.classes': ({ query }) => new Promise((r) => answers.push(() => r({ modelId: 'm', available: true, total: 10, matches: [{ index: 1, label: query }] }))) });
    const first = models.searchClasses('jel');
    const second = models.searchClasses('jelly');
    answers[1]!(null);
    await second;
    answers[0]!(null);
    await first;
    expect(models.classes?.matches).toEqual([{ index: 1, label: 'jelly' }]);
  });
});

describe('AppState with models and settings', () => {
  function setup(opts: { status?: 'starting' | 'ready'; lastUsed?: SettingsView['settings']['lastUsed']; defaultRecipe?: Recipe } = {}) {
    let active = 'mobilenet_v2';
    let view = settingsView(opts.lastUsed, opts.defaultRecipe);
    const host = testHost({
      'app.info': () => ({ version: '0.1.0', mode: 'browser', dataDir: '/data' }),
      'engine.status': () => (opts.status === 'ready' ? { state: 'ready', backend: 'wasm', modelId: active, loadMs: 1 } : { state: 'starting', modelId: active }),
      'model.layers': () => (active === 'mobilenet_v2' ? [{ name: 'block_6_expand_relu', channels: 192, training: 'imagenet' }] : [{ name: 'mixed3', channels: 768, training: 'imagenet' }]),
      'gallery.list': () => [],
      'models.list': () => [model('inception_v3', active === 'inception_v3'), model('mobilenet_v2', active === 'mobilenet_v2')],
      'models.select': ({ name }) => {
        if (name !== 'inception_v3' && name !== 'mobilenet_v2') throw failure('BadRequestError', `There is no model named "${name}".`);
        active = name;
        return { state: 'starting', modelId: name };
      },
      'models.classes': () => ({ modelId: active, available: false, reason: 'no head', total: 0, matches: [] }),
      'settings.get': () => view,
      // As the host does: lastUsed fields are merged into the saved ones.
      'settings.update': (change) => (view = { ...view, settings: { ...view.settings, lastUsed: { ...view.settings.lastUsed, ...change.lastUsed } } }),
      'presets.list': () => [],
    });
    const app = new AppState(host.api, { picker: { pick: async () => null }, download: () => undefined, fetchBytes: async () => new Uint8Array() });
    return { app, host };
  }

  it('restores the last used recipe for the model the host is loading, with its curated layers meanwhile', async () => {
    const last = { ...mobileRecipe, steps: 3, seed: 42 };
    const { app } = setup({ lastUsed: { model: 'mobilenet_v2', recipe: last } });
    await app.init();
    expect(app.activeModel).toBe('mobilenet_v2');
    expect(app.recipe.recipe).toEqual(last);
    expect(app.pickerLayers.map((l) => [l.name, l.note])).toEqual([['block_6_expand_relu', 'tiles'], ['block_10_expand_relu', 'spots']]);
    expect(app.recipe.presets.map((p) => p.id)).toEqual(['mobilenet_v2:classic', 'mobilenet_v2:textures']);
    expect(app.recipe.preset).toBeNull(); // steps 3 is not the curated recipe
    app.recipe.applyPreset('mobilenet_v2:textures');
    expect(app.recipe.recipe).toMatchObject({ model: 'mobilenet_v2', layers: [{ name: 'block_3_expand_relu', weight: 1 }], seed: 42 });
  });

  it('without a last used recipe for the model, starts from the saved default if it is for it, else the curated one', async () => {
    const saved = { ...mobileRecipe, stepSize: 0.5 };
    const a = setup({ defaultRecipe: saved });
    await a.app.init();
    expect(a.app.recipe.recipe).toEqual(saved);
    const b = setup({ lastUsed: { recipe: { ...DEFAULT_PRESET.recipe, steps: 2 } } });
    await b.app.init();
    expect(b.app.recipe.recipe).toEqual(sizeAware(mobileRecipe));
  });

  it('the built-in starting recipes choose octaves from the image size; the user’s own keep theirs; Zoom and Paint stay fixed', async () => {
    const { app } = setup({ defaultRecipe: DEFAULT_RECIPE });
    await app.init();
    expect(app.recipe.recipe).toMatchObject({ version: 2, patternSize: DEFAULT_PATTERN_SIZE, model: 'mobilenet_v2' }); // curated
    await app.selectModel('inception_v3');
    expect(app.recipe.recipe).toMatchObject({ version: 2, patternSize: DEFAULT_PATTERN_SIZE, layers: DEFAULT_RECIPE.layers });
    expect(app.recipe.preset?.id).toBe('classic');
    for (const r of [app.zoom.recipe, app.paint.recipe]) expect(r.recipe).not.toHaveProperty('patternSize');
    const own = { ...DEFAULT_RECIPE, octaves: 6 };
    const b = setup({ defaultRecipe: own });
    await b.app.init();
    await b.app.selectModel('inception_v3');
    expect(b.app.recipe.recipe).toEqual(own);
  });

  it('switching models points the recipe, layers and presets at the new model', async () => {
    const { app, host } = setup({ status: 'ready' });
    await app.init();
    expect(app.layers.map((l) => l.name)).toEqual(['block_6_expand_relu']);
    expect(app.zoom.recipe.recipe).toMatchObject({ model: 'mobilenet_v2', layers: mobileRecipe.layers, steps: 5, octaves: 1 });
    app.inspect.layer = 'block_6_expand_relu';
    await app.selectModel('inception_v3');
    expect(host.calls.some((c) => c.channel === 'models.select')).toBe(true);
    expect(app.recipe.recipe).toEqual(sizeAware(DEFAULT_PRESET.recipe));
    expect(app.recipe.preset?.id).toBe('classic');
    expect(app.paint.recipe.recipe).toMatchObject({ model: 'inception_v3', layers: DEFAULT_PRESET.recipe.layers, steps: 5, octaves: 1 });
    expect(app.layers).toEqual([]);
    expect(app.pickerLayers.map((l) => l.name)).toContain('mixed5'); // InceptionV3's blocks while it loads
    host.emit({ channel: 'engine.changed', payload: { state: 'ready', backend: 'wasm', modelId: 'inception_v3', loadMs: 1 } });
    await tick();
    expect(app.layers.map((l) => l.name)).toEqual(['mixed3']);
    expect(app.inspect.layer).toBeNull(); // MobileNetV2's layer is not InceptionV3's
    expect(app.models.classes).toMatchObject({ available: false });
  });

  it('a preset for another model picks that model first, then loads it into Dream, and is remembered as the last used', async () => {
    const { app, host } = setup({ status: 'ready', lastUsed: { model: 'mobilenet_v2', inputFolder: '/pictures' } });
    await app.init();
    app.panel = 'models';
    const preset = { ...DEFAULT_PRESET.recipe, steps: 7 };
    await app.usePreset({ name: 'seven steps', recipe: preset });
    expect(host.calls.filter((c) => c.channel === 'models.select').map((c) => c.request)).toEqual([{ name: 'inception_v3' }]);
    expect(app.recipe.recipe).toEqual(preset);
    expect(app.panel).toBe('dream');
    expect(host.calls.filter((c) => c.channel === 'settings.update').map((c) => c.request)).toEqual([{ lastUsed: { preset: 'seven steps', recipe: preset } }]);
    expect(app.settings.settings?.lastUsed).toEqual({ model: 'mobilenet_v2', inputFolder: '/pictures', preset: 'seven steps', recipe: preset });
    expect(lastUsedLines(app.settings.settings!.lastUsed)).toEqual([
      { key: 'preset', label: 'Preset', value: 'seven steps' },
      { key: 'inputFolder', label: 'Opened from', value: '/pictures' },
    ]);
  });

  it('a preset whose model cannot be picked is neither loaded nor remembered', async () => {
    const { app, host } = setup({ status: 'ready' });
    await app.init();
    await app.usePreset({ name: 'elsewhere', recipe: { ...DEFAULT_PRESET.recipe, model: 'not_installed' } });
    expect(host.calls.filter((c) => c.channel === 'settings.update')).toEqual([]);
    expect(app.recipe.recipe.model).toBe('mobilenet_v2');
  });
});

describe('SettingsState and PresetsState', () => {
  it('saves the backend, default recipe and output folder through the host', async () => {
    let view = settingsView();
    const host = testHost({
      'settings.get': () => view,
      'settings.update': (change) => {
        if (change.outputFolder === 'relative') throw failure('BadRequestError', 'The output folder "relative" is not an existing folder.');
        view = { ...view, settings: { ...view.settings, ...change, lastUsed: view.settings.lastUsed } };
        return view;
      },
    });
    const notices = quietNotices();
    const settings = new SettingsState({ api: host.api, notices, picker: { pick: async () => null }, download: () => undefined });
    await settings.load();
    expect(await settings.setBackend('wasm')).toBe(true);
    expect(settings.settings?.backend).toBe('wasm');
    expect(await settings.setDefaultRecipe(mobileRecipe)).toBe(true);
    expect(settings.settings?.defaultRecipe).toEqual(mobileRecipe);
    settings.outputFolder = 'relative';
    expect(await settings.saveOutputFolder()).toBe(false);
    expect(notices.list.at(-1)).toMatchObject({ kind: 'error', message: expect.stringContaining('not an existing folder') });
    settings.outputFolder = '  ';
    expect(await settings.saveOutputFolder()).toBe(true);
    expect(host.calls.at(-1)).toEqual({ channel: 'settings.update', request: { outputFolder: null } });
  });

  it("a window's GPUs, heard after the start-up ask was written, stay listed when that ask's answer lands late; typed text stays", async () => {
    const windowRow = { choice: 'window-webgpu' as const, available: true, note: "the app window's WebGPU: SwiftShader, software GPU" };
    let offered = false;
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    let asked = 0;
    const host = testHost({
      'settings.get': async () => {
        // The view as of the ask: the start-up ask is answered before the window said, but arrives last.
        const view = offered ? { ...settingsView(), devices: [...settingsView().devices, windowRow] } : settingsView();
        if (++asked === 1) await firstHeld;
        return view;
      },
    });
    const settings = new SettingsState({ api: host.api, notices: quietNotices(), picker: { pick: async () => null }, download: () => undefined });
    const startUp = settings.load(true);
    await tick();
    offered = true;
    await settings.refreshDevices();
    expect(settings.view?.devices.map((d) => d.choice)).toEqual(['auto', 'window-webgpu']);
    releaseFirst();
    await startUp;
    expect(settings.view?.devices.map((d) => d.choice)).toEqual(['auto', 'window-webgpu']);
    expect(settings.settings?.device).toBe('auto');
    // Another window's hello refreshes the list without touching a folder being typed.
    settings.outputFolder = '/half/typed';
    offered = false;
    await settings.refreshDevices();
    expect(settings.view?.devices.map((d) => d.choice)).toEqual(['auto']);
    expect(settings.outputFolder).toBe('/half/typed');
  });

  it('saves, renames, exports and imports presets (a bare recipe takes the file name)', async () => {
    let list: UserPreset[] = [];
    const at = '2030-01-01T00:00:00Z';
    const host = testHost({
      'presets.list': () => list,
      'presets.save': ({ name, recipe }) => {
        const p = { name, recipe, createdAt: at, updatedAt: at };
        list = [...list, p];
        return p;
      },
      'presets.rename': ({ from, to }) => {
        list = list.map((p) => (p.name === from ? { ...p, name: to } : p));
        return list.find((p) => p.name === to)!;
      },
      'presets.export': ({ name }) => ({ fileName: `${name}.reverie-preset.json`, json: '{"reverie":"preset"}\n' }),
      'presets.import': ({ file, as }) => {
        if (!as) throw failure('PresetError', `${file.name} is not a Reverie preset file; to import a bare recipe, name it with --as NAME.`);
        const p = { name: as, recipe: mobileRecipe, createdAt: at, updatedAt: at };
        list = [...list, p];
        return p;
      },
    });
    const downloads: string[] = [];
    const presets = new PresetsState({ api: host.api, notices: quietNotices(), picker: { pick: async () => null }, download: (url, name) => downloads.push(`${name} ${url}`), textUrl: (text) => `blob:${text.trim()}` });
    presets.newName = ' soft ';
    expect(await presets.save(mobileRecipe)).toBe(true);
    expect(presets.newName).toBe('');
    expect(presets.list.map((p) => p.name)).toEqual(['soft']);
    presets.startRename('soft');
    presets.renaming!.to = 'softer';
    expect(await presets.finishRename()).toBe(true);
    expect(presets.list.map((p) => p.name)).toEqual(['softer']);
    await presets.export('softer');
    expect(downloads).toEqual(['softer.reverie-preset.json blob:{"reverie":"preset"}']);
    expect(await presets.import({ name: 'dreamy.json', data: new TextEncoder().encode('{"version":1}') })).toBe(true);
    expect(presets.list.map((p) => p.name)).toEqual(['softer', 'dreamy']);
    expect(await presets.import(null)).toBe(false); // the picker was cancelled
  });
});
