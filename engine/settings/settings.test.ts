// Settings and presets on disk: defaults, round trips, clear validation errors, corrupt files set
// aside (never a crash, never lost), atomic writes, and the config-folder rules.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RECIPE } from '../recipe/recipe.ts';
import { backendInfos, configDir, DEFAULT_SETTINGS, fastestBackend, loadSettings, parseSettings, PresetError, PresetStore, saveSettings, SettingsError, updateSettings } from './index.ts';

let root: string;
let n = 0;
const fresh = async () => mkdtemp(join(root, `c${n++}-`));
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-settings-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('configDir', () => {
  afterEach(() => vi.unstubAllEnvs());
  it('prefers $REVERIE_CONFIG_DIR, then $REVERIE_DATA_DIR/config, then $XDG_CONFIG_HOME/reverie, then ~/.config/reverie', () => {
    vi.stubEnv('REVERIE_CONFIG_DIR', '/r');
    vi.stubEnv('REVERIE_DATA_DIR', '/d');
    vi.stubEnv('XDG_CONFIG_HOME', '/x');
    expect(configDir()).toBe('/r');
    vi.stubEnv('REVERIE_CONFIG_DIR', '');
    expect(configDir()).toBe(join('/d', 'config'));
    vi.stubEnv('REVERIE_DATA_DIR', '');
    expect(configDir()).toBe('/x/reverie');
    vi.stubEnv('XDG_CONFIG_HOME', '');
    expect(configDir()).toBe(join(homedir(), '.config', 'reverie'));
  });
});

describe('settings', () => {
  it('start from defaults and persist backend, default recipe, output folder and last used values', async () => {
    const dir = await fresh();
    expect(await loadSettings(dir)).toEqual({ value: DEFAULT_SETTINGS });
    const recipe = { ...DEFAULT_RECIPE, steps: 3, classes: [{ name: 'jellyfish', weight: 1 }] };
    await updateSettings((s) => ({ ...s, backend: 'wasm', defaultRecipe: recipe, outputFolder: '/tmp/out', lastUsed: { model: 'mobilenet_v2', preset: 'soft' } }), dir);
    const again = await loadSettings(dir);
    expect(again.problem).toBeUndefined();
    expect(again.value).toMatchObject({ backend: 'wasm', outputFolder: '/tmp/out', lastUsed: { model: 'mobilenet_v2', preset: 'soft' } });
    expect(again.value.defaultRecipe).toEqual(recipe);
    expect((await readdir(dir)).sort()).toEqual(['settings.json']); // no temp files left behind
  });

  it.each([
    [{ version: 1, backend: 'gpu' }, /"backend" must be one of auto, tensorflow, wasm, cpu/],
    [{ version: 1, colour: 1 }, /unknown field "colour"/],
    [{ version: 2 }, /version 2 is not supported/],
    [{ version: 1, defaultRecipe: { version: 1, steps: -1 } }, /defaultRecipe: "steps" must be between/],
    [{ version: 1, lastUsed: { model: '' } }, /lastUsed.model" must be a non-empty string/],
    [{ version: 1, outputFolder: 3 }, /"outputFolder" must be a non-empty string/],
  ])('refuses %j with a clear SettingsError', (json, message) => {
    expect(() => parseSettings(json, 'settings.json')).toThrow(SettingsError);
    expect(() => parseSettings(json, 'settings.json')).toThrow(message);
  });

  it('sets a corrupt or invalid file aside, reports it, and carries on with defaults', async () => {
    for (const body of ['{"version": 1, "backend": ', JSON.stringify({ version: 1, backend: 'warp' })]) {
      const dir = await fresh();
      await writeFile(join(dir, 'settings.json'), body);
      const loaded = await loadSettings(dir);
      expect(loaded.value).toEqual(DEFAULT_SETTINGS);
      expect(loaded.problem).toMatch(/settings.json was unusable: .*set aside as .*settings\.json\.corrupt-/);
      const names = await readdir(dir);
      expect(names).toHaveLength(1);
      expect(await readFile(join(dir, names[0]!), 'utf8')).toBe(body); // nothing lost
      await saveSettings({ ...DEFAULT_SETTINGS, backend: 'cpu' }, dir);
      expect((await loadSettings(dir)).value.backend).toBe('cpu');
    }
  });

  it('describes every backend in one line and names the fastest available here', () => {
    const infos = backendInfos();
    expect(infos.map((b) => b.choice)).toEqual(['auto', 'tensorflow', 'wasm', 'cpu', 'webgl']);
    expect(infos.every((b) => b.description.length > 20 && !b.description.includes('\n'))).toBe(true);
    // Known independently of the code under test: is tfjs-node's package on disk here?
    const tfjsNode = existsSync(new URL('../../node_modules/@tensorflow/tfjs-node/package.json', import.meta.url));
    const available = Object.fromEntries(infos.map((b) => [b.choice, b.available]));
    expect(available).toEqual({ auto: true, tensorflow: tfjsNode, wasm: true, cpu: true, webgl: false }); // no DOM in Node: no WebGL
    expect(fastestBackend()).toBe(tfjsNode ? 'tensorflow' : 'wasm');
  });
});

describe('presets', () => {
  it('save, list, rename, delete; names are unique and checked', async () => {
    const store = new PresetStore(await fresh());
    expect(await store.list()).toEqual([]);
    const soft = await store.save('soft', { ...DEFAULT_RECIPE, stepSize: 0.8 }, { description: 'gentle' });
    expect(soft).toMatchObject({ name: 'soft', description: 'gentle', recipe: { stepSize: 0.8 } });
    await store.save('deep', { ...DEFAULT_RECIPE, layers: [{ name: 'mixed5', weight: 1 }] });
    await expect(store.save('soft', DEFAULT_RECIPE)).rejects.toThrow(/exists; pass --force/);
    await store.save('soft', { ...DEFAULT_RECIPE, stepSize: 0.9 }, { overwrite: true });
    expect((await store.get('soft')).recipe.stepSize).toBe(0.9);
    await store.rename('soft', 'softer');
    await expect(store.rename('softer', 'deep')).rejects.toThrow(/exists already/);
    expect((await store.list()).map((p) => p.name).sort()).toEqual(['deep', 'softer']);
    await store.delete('deep');
    await expect(store.get('deep')).rejects.toThrow(/No preset named "deep"; saved presets: softer/);
    await expect(store.save('a/b', DEFAULT_RECIPE)).rejects.toThrow(PresetError);
    await expect(store.save('bad', { ...DEFAULT_RECIPE, octaves: 99 })).rejects.toThrow(/"octaves" must be between/);
  });

  it('export to a file and import it elsewhere (or a bare recipe, named); bad files are refused', async () => {
    const a = new PresetStore(await fresh());
    const b = new PresetStore(await fresh());
    await a.save('jelly', { ...DEFAULT_RECIPE, classes: [{ name: 'jellyfish', weight: 2 }] }, { description: 'sea' });
    const file = join(root, 'jelly.json');
    await a.export('jelly', file);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ reverie: 'preset', version: 1, name: 'jelly', description: 'sea' });
    const imported = await b.import(file);
    expect(imported.recipe).toEqual((await a.get('jelly')).recipe);
    await expect(b.import(file)).rejects.toThrow(/exists/);
    await b.import(file, { as: 'jelly 2' });
    const bare = join(root, 'bare.json');
    await writeFile(bare, JSON.stringify({ version: 1, steps: 4 }));
    await expect(b.import(bare)).rejects.toThrow(/not a Reverie preset file.*--as NAME/);
    expect((await b.import(bare, { as: 'four' })).recipe.steps).toBe(4);
    await writeFile(bare, '{oops');
    await expect(b.import(bare, { as: 'x' })).rejects.toThrow(/not valid JSON/);
    await writeFile(bare, JSON.stringify({ reverie: 'preset', version: 1, name: 'z', recipe: { version: 1, layers: 'mixed3' } }));
    await expect(b.import(bare)).rejects.toThrow(PresetError);
    expect((await b.list()).map((p) => p.name).sort()).toEqual(['four', 'jelly', 'jelly 2']);
  });

  it('sets a corrupt store aside (kept on disk) and starts empty', async () => {
    const dir = await fresh();
    const store = new PresetStore(dir);
    await writeFile(store.file, JSON.stringify({ version: 1, presets: [{ name: 'x', recipe: { version: 7 } }] }));
    const loaded = await store.load();
    expect(loaded.value).toEqual([]);
    expect(loaded.problem).toMatch(/presets.json was unusable: .*version 7.*set aside/);
    await store.save('new', DEFAULT_RECIPE);
    const names = (await readdir(dir)).sort();
    expect(names[0]).toBe('presets.json');
    expect(names[1]).toMatch(/^presets\.json\.corrupt-/);
  });
});
