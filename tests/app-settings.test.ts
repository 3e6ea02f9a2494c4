// Last used values through the host service, in a real config folder: applying a saved preset (the
// request the app sends) records it and its recipe, which a restarted service reads back and the app
// reopens on; renaming or deleting the preset keeps the record true; Electron main's dialogs, wired
// to the same settings handlers, remember the folders picked and start there after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GalleryItem } from '../contract/types.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { loadSettings } from '../engine/settings/settings.ts';
import { ChosenPaths, createDialogs, settingsFolders } from '../main/dialogs.ts';
import type { BrowserWindow, ElectronMain } from '../main/electronTypes.ts';
import { lastUsedLines, presetApplied } from '../renderer/lib/lastUsed.ts';
import { startRecipe } from '../renderer/lib/modelRecipes.ts';
import type { Service } from '../host/service.ts';
import { tempDir, testService } from './appHelpers.ts';

const open: Service[] = [];
function start(dataDir: string): Service {
  const service = testService(dataDir);
  open.push(service);
  return service;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('the last used preset', () => {
  it('applying a preset records it (and its recipe) in the config folder, and a restarted app reopens on it', async () => {
    const dataDir = await tempDir('last-preset');
    const config = join(dataDir, 'config');
    let service = start(dataDir);
    const recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed4', weight: 0.5 }], steps: 6, seed: 11 };
    const preset = await service.handlers['presets.save']({ name: 'Soft eyes', recipe });
    await service.handlers['settings.update']({ lastUsed: { inputFolder: dataDir } });

    const view = await service.handlers['settings.update'](presetApplied(preset));
    expect(view.settings.lastUsed).toEqual({ inputFolder: dataDir, preset: 'Soft eyes', recipe });
    expect(JSON.parse(await readFile(join(config, 'settings.json'), 'utf8')).lastUsed).toMatchObject({ preset: 'Soft eyes', recipe: { seed: 11 } });

    await service.close();
    service = start(dataDir);
    const after = await service.handlers['settings.get']({});
    expect(after.settings.lastUsed).toEqual({ inputFolder: dataDir, preset: 'Soft eyes', recipe });
    expect(startRecipe('inception_v3', after.settings, null)).toEqual(recipe); // the recipe the app opens on
    expect(lastUsedLines(after.settings.lastUsed)).toEqual([
      { key: 'preset', label: 'Preset', value: 'Soft eyes' },
      { key: 'inputFolder', label: 'Opened from', value: dataDir },
    ]);

    await service.handlers['presets.rename']({ from: 'Soft eyes', to: 'Softer eyes' });
    expect((await loadSettings(config)).value.lastUsed.preset).toBe('Softer eyes');
    await service.handlers['presets.save']({ name: 'Other', recipe: DEFAULT_RECIPE });
    await service.handlers['presets.delete']({ name: 'Other' });
    expect((await loadSettings(config)).value.lastUsed.preset).toBe('Softer eyes');
    await service.handlers['presets.delete']({ name: 'Softer eyes' });
    expect((await loadSettings(config)).value.lastUsed).toEqual({ inputFolder: dataDir, recipe });
    await expect(service.handlers['settings.update']({ lastUsed: { preset: '' } })).rejects.toMatchObject({ name: 'SettingsError', message: expect.stringContaining('lastUsed.preset') });
  });
});

describe('the last used folders', () => {
  it('main\'s dialogs record the folders picked through settings.update and start there after a restart', async () => {
    const dataDir = await tempDir('last-folders');
    const [photos, results, outputs] = [join(dataDir, 'photos'), join(dataDir, 'results'), join(dataDir, 'outputs')];
    for (const d of [photos, results, outputs]) await mkdir(d);
    await writeFile(join(photos, 'cat.png'), 'png bytes');
    await writeFile(join(dataDir, 'result.png'), 'dream bytes');
    const asked: Array<string | undefined> = [];
    const electron = {
      app: { getPath: (name: string) => join(dataDir, name) },
      dialog: {
        showOpenDialog: async (_w: unknown, o: { defaultPath?: string }) => (asked.push(o.defaultPath), { canceled: false, filePaths: [join(photos, 'cat.png')] }),
        showSaveDialog: async (_w: unknown, o: { defaultPath: string }) => (asked.push(o.defaultPath), { canceled: false, filePath: join(results, 'dream.png') }),
      },
    } as unknown as ElectronMain;
    const item = { input: { name: 'cat.png' } } as GalleryItem;

    let service = start(dataDir);
    await service.handlers['settings.update']({ outputFolder: outputs });
    let dialogs = createDialogs(electron, new ChosenPaths(), () => ({}) as BrowserWindow, settingsFolders(service.handlers));
    await dialogs.openFile('image');
    await dialogs.saveResult(item, join(dataDir, 'result.png'), outputs);
    // Nothing used yet: both start in the output folder from Settings.
    expect(asked).toEqual([outputs, join(outputs, 'cat-dream.png')]);
    expect((await service.handlers['settings.get']({})).settings.lastUsed).toEqual({ inputFolder: photos, outputFolder: results });

    await service.close();
    service = start(dataDir);
    dialogs = createDialogs(electron, new ChosenPaths(), () => ({}) as BrowserWindow, settingsFolders(service.handlers));
    asked.length = 0;
    await dialogs.openFile('image');
    await dialogs.saveResult(item, join(dataDir, 'result.png'), outputs);
    expect(asked).toEqual([photos, join(results, 'cat-dream.png')]);
    expect(await readFile(join(results, 'dream.png'), 'utf8')).toBe('dream bytes');
  });
});
