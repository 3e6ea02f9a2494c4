// Settings and saved presets over the contract, in the same config folder the CLI uses: the backend
// (with what each is and which is fastest here), the default recipe, the output folder and the last
// used values; presets saved, renamed, deleted, exported and imported as JSON.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Handlers } from '../contract/channels.ts';
import type { SettingsView } from '../contract/models.ts';
import type { BackendChoice } from '../engine/backend.ts';
import { parseRecipe } from '../engine/recipe/recipe.ts';
import { backendInfos, fastestBackend } from '../engine/settings/backends.ts';
import { PresetStore } from '../engine/settings/presets.ts';
import { deviceOptions } from '../engine/accel/devices.ts';
import { DEFAULT_SETTINGS, loadSettings, parseSettings, settingsFile, updateSettings, type Settings } from '../engine/settings/settings.ts';
import type { ServiceContext } from './context.ts';
import { checkFarmSetting } from './farm/farmHandlers.ts';
import { hideFarmPassword, restoreFarmPassword } from './farm/farmSecret.ts';
import { displayPath } from './files.ts';
import { windowDeviceOptions } from './windowChoices.ts';
import type { WindowOffers } from '../engine/windowDevice/choice.ts';
import { MAX_PRESET_BYTES } from './limits.ts';
import { BadRequestError, BusyError, requireFileBytes, requireObject } from './validate.ts';

type SettingsHandlers = Pick<Handlers, 'settings.get' | 'settings.update' | 'presets.list' | 'presets.save' | 'presets.rename' | 'presets.delete' | 'presets.export' | 'presets.import'>;

/** The saved settings, read once at launch before anything is served (defaults when unreadable: loadSettings reports that later). */
export function launchSettings(configDir: string): Settings {
  try {
    return parseSettings(JSON.parse(readFileSync(settingsFile(configDir), 'utf8')), settingsFile(configDir));
  } catch {
    return structuredClone(DEFAULT_SETTINGS);
  }
}

/** The devices, and the app window's GPU: carried over browser mode's socket and over Electron's IPC alike. */
function deviceList(offers: WindowOffers | null): SettingsView['devices'] {
  return [...deviceOptions(), ...windowDeviceOptions(offers)];
}

function view(settings: Settings, configDir: string, pinned: string | null, devices: SettingsView['devices'], problem?: string): SettingsView {
  const fastest = fastestBackend();
  return {
    settings: { ...settings, farmUrl: hideFarmPassword(settings.farmUrl) },
    backends: backendInfos().map((b) => ({ ...b, fastest: b.choice === fastest })),
    devices,
    file: displayPath(settingsFile(configDir)),
    backendPinned: pinned,
    ...(problem ? { problem } : {}),
  };
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) throw new BadRequestError(`${what} must be 1 to 200 characters.`);
  return value;
}

export function settingsHandlers(ctx: ServiceContext): SettingsHandlers {
  const { configDir, engine } = ctx;
  const pinned = ctx.options.backendPinned ?? null;
  const presets = new PresetStore(configDir);

  return {
    'settings.get': async () => {
      const loaded = await loadSettings(configDir);
      return view(loaded.value, configDir, pinned, deviceList(ctx.window.offers()), loaded.problem);
    },
    'settings.update': async (request) => {
      const req = requireObject(request, 'The settings');
      const allowed = ['backend', 'device', 'defaultRecipe', 'outputFolder', 'lastUsed', 'farmUrl', 'farmInsecure'];
      const extra = Object.keys(req).filter((k) => !allowed.includes(k));
      if (extra.length) throw new BadRequestError(`Unknown setting ${extra.map((k) => JSON.stringify(k)).join(', ')}; settings are ${allowed.join(', ')}.`);
      const folder = req['outputFolder'];
      if (typeof folder === 'string' && (!isAbsolute(folder) || !statSync(folder, { throwIfNoEntry: false })?.isDirectory())) {
        throw new BadRequestError(`The output folder "${folder}" is not an existing folder (give its full path).`);
      }
      const wanted = backendInfos().find((b) => b.choice === req['backend']);
      if (wanted && !wanted.available) throw new BadRequestError(`The ${wanted.choice} backend is not available here (${wanted.description}).`);
      const device = deviceList(ctx.window.offers()).find((d) => d.choice === req['device']);
      if (device && !device.available) throw new BadRequestError(`The ${device.choice} device is not available here (${device.note}).`);
      const before = (await loadSettings(configDir)).value;
      if (typeof req['farmUrl'] === 'string') req['farmUrl'] = restoreFarmPassword(req['farmUrl'], before.farmUrl);
      const backendChanges = req['backend'] !== undefined && req['backend'] !== before.backend;
      const deviceChanges = req['device'] !== undefined && req['device'] !== before.device;
      const restart = (backendChanges && !pinned) || deviceChanges;
      if (restart && ctx.queue.busy) throw new BusyError('A job is running or queued; change the backend or device when it is done.');
      // parseSettings checks every field (the backend name, the recipe, the last-used values) before anything is written.
      const next = parseSettings({ ...before, ...req, lastUsed: req['lastUsed'] === undefined ? before.lastUsed : { ...before.lastUsed, ...requireObject(req['lastUsed'], 'lastUsed') } }, 'The settings');
      await checkFarmSetting(next.farmUrl, next.farmInsecure);
      const saved = await updateSettings(() => next, configDir);
      // A pinned backend stays pinned (the launcher overrides the spec's); the device is never pinned.
      if (restart) await engine.restart({ ...engine.spec, backend: next.backend as BackendChoice, device: next.device });
      return view(saved.value, configDir, pinned, deviceList(ctx.window.offers()));
    },
    'presets.list': async () => presets.list(),
    'presets.save': async (request) => {
      const req = requireObject(request, 'The preset');
      const recipe = parseRecipe(req['recipe'], 'The preset recipe');
      const description = req['description'];
      if (description !== undefined && (typeof description !== 'string' || description.length > 500)) throw new BadRequestError('The description must be text of at most 500 characters.');
      return presets.save(text(req['name'], 'The preset name'), recipe, { ...(description ? { description } : {}), ...(req['overwrite'] === true ? { overwrite: true } : {}) });
    },
    'presets.rename': async (request) => {
      const req = requireObject(request, 'The request');
      const from = text(req['from'], 'The preset').trim();
      const renamed = await presets.rename(from, text(req['to'], 'The new name'));
      // The last used preset keeps pointing at it under its new name.
      await updateSettings((s) => (s.lastUsed.preset === from ? { ...s, lastUsed: { ...s.lastUsed, preset: renamed.name } } : s), configDir);
      return renamed;
    },
    'presets.delete': async (request) => {
      const name = text(requireObject(request, 'The request')['name'], 'The preset').trim();
      await presets.delete(name);
      await updateSettings((s) => {
        if (s.lastUsed.preset !== name) return s;
        const { preset: _gone, ...lastUsed } = s.lastUsed;
        return { ...s, lastUsed };
      }, configDir);
      return { deleted: true };
    },
    'presets.export': async (request) => {
      const file = await presets.shareable(text(requireObject(request, 'The request')['name'], 'The preset'));
      const stem = file.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'preset';
      return { fileName: `${stem}.reverie-preset.json`, json: `${JSON.stringify(file, null, 2)}\n` };
    },
    'presets.import': async (request) => {
      const req = requireObject(request, 'The request');
      const file = requireFileBytes(req['file'], MAX_PRESET_BYTES);
      const as = req['as'] === undefined || req['as'] === '' ? undefined : text(req['as'], 'The preset name');
      return presets.importText(new TextDecoder().decode(file.data), file.name, { ...(as ? { as } : {}), ...(req['overwrite'] === true ? { overwrite: true } : {}) });
    },
  };
}
