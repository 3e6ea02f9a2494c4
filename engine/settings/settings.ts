// Settings that persist across restarts: backend, default recipe, output folder, last used values.
// Stored as settings.json in the config folder; validated on load with errors that name the field.
import { join } from 'node:path';
import { backendChoices, type BackendChoice } from '../backend.ts';
import { deviceChoices } from '../accel/providers.ts';
import type { DeviceSetting } from '../shared/device.ts';
import { windowDeviceSettings } from '../windowDevice/choice.ts';

/** What the Device setting accepts: the devices, and the app window's GPU (its best, or a backend by name). */
export const settingDevices: readonly DeviceSetting[] = [...deviceChoices, ...windowDeviceSettings];
import { DEFAULT_RECIPE, parseRecipe, RecipeError, type Recipe } from '../recipe/recipe.ts';
import { configDir } from './paths.ts';
import { isObject, readJsonFile, SettingsError, writeJsonFile, type Loaded } from './jsonFile.ts';

/** What the app and CLI remember between runs; every field optional. */
export interface LastUsed {
  model?: string;
  preset?: string;
  inputFolder?: string;
  outputFolder?: string;
  recipe?: Recipe;
}

export interface Settings {
  version: 1;
  backend: BackendChoice;
  /** Where dream steps run: auto (a real GPU when one answers, else the CPU), cpu, webgpu, dml, coreml, cuda, or a window device. */
  device: DeviceSetting;
  /** The recipe a new dream starts from. */
  defaultRecipe: Recipe;
  /** Where results go by default; null: next to the input. */
  outputFolder: string | null;
  lastUsed: LastUsed;
  /** The app's render farm (redis:// or rediss://); null: none. The host checks it fully (farm/url.ts). */
  farmUrl: string | null;
  /** The user allowed a farm beyond this machine without a password (the CLI's --farm-insecure). */
  farmInsecure: boolean;
}

export const DEFAULT_SETTINGS: Settings = { version: 1, backend: 'auto', device: 'auto', defaultRecipe: DEFAULT_RECIPE, outputFolder: null, lastUsed: {}, farmUrl: null, farmInsecure: false };

export const settingsFile = (dir = configDir()) => join(dir, 'settings.json');

function unknownKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length) throw new SettingsError(`${where} has unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')}).`);
}

function recipeField(where: string, v: unknown): Recipe {
  try {
    return parseRecipe(v, where);
  } catch (err) {
    throw err instanceof RecipeError ? new SettingsError(err.message) : err;
  }
}

function text(where: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new SettingsError(`${where} must be a non-empty string, got ${JSON.stringify(v)}.`);
  return v;
}

/** Validates settings read from JSON; missing fields take defaults, unknown ones are refused. */
export function parseSettings(json: unknown, source = 'settings'): Settings {
  if (!isObject(json)) throw new SettingsError(`${source}: settings must be a JSON object.`);
  unknownKeys(source, json, Object.keys(DEFAULT_SETTINGS));
  const s = { ...DEFAULT_SETTINGS, ...json };
  if (s.version !== 1) throw new SettingsError(`${source}: settings version ${JSON.stringify(s.version)} is not supported (this Reverie reads version 1).`);
  if (!backendChoices.includes(s.backend as BackendChoice)) throw new SettingsError(`${source}: "backend" must be one of ${backendChoices.join(', ')}, got ${JSON.stringify(s.backend)}.`);
  if (!settingDevices.includes(s.device as DeviceSetting)) throw new SettingsError(`${source}: "device" must be one of ${settingDevices.join(', ')}, got ${JSON.stringify(s.device)}.`);
  const outputFolder = s.outputFolder === null ? null : text(`${source}: "outputFolder"`, s.outputFolder);
  if (!isObject(s.lastUsed)) throw new SettingsError(`${source}: "lastUsed" must be an object.`);
  const lu = s.lastUsed as Record<string, unknown>;
  unknownKeys(`${source}: "lastUsed"`, lu, ['model', 'preset', 'inputFolder', 'outputFolder', 'recipe']);
  const lastUsed: LastUsed = {};
  for (const k of ['model', 'preset', 'inputFolder', 'outputFolder'] as const) if (lu[k] !== undefined) lastUsed[k] = text(`${source}: "lastUsed.${k}"`, lu[k]);
  if (lu['recipe'] !== undefined) lastUsed.recipe = recipeField(`${source}: lastUsed.recipe`, lu['recipe']);
  const farmUrl = s.farmUrl === null ? null : text(`${source}: "farmUrl"`, s.farmUrl);
  if (farmUrl !== null && (!/^rediss?:\/\//.test(farmUrl) || farmUrl.length > 500)) throw new SettingsError(`${source}: "farmUrl" must start with redis:// or rediss:// (at most 500 characters).`);
  if (typeof s.farmInsecure !== 'boolean') throw new SettingsError(`${source}: "farmInsecure" must be true or false.`);
  return { version: 1, backend: s.backend as BackendChoice, device: s.device as DeviceSetting, defaultRecipe: recipeField(`${source}: defaultRecipe`, s.defaultRecipe), outputFolder, lastUsed, farmUrl, farmInsecure: s.farmInsecure };
}

/** The saved settings, or defaults; a corrupt file is set aside and reported in `problem`. */
export function loadSettings(dir = configDir()): Promise<Loaded<Settings>> {
  return readJsonFile(settingsFile(dir), parseSettings, () => structuredClone(DEFAULT_SETTINGS));
}

export async function saveSettings(settings: Settings, dir = configDir()): Promise<void> {
  // Owner-only: a farm URL may carry the Redis password.
  await writeJsonFile(settingsFile(dir), parseSettings(settings, 'settings'), { mode: 0o600 });
}

/** Loads, changes and saves atomically in one call; returns the new settings (and any load problem). */
export async function updateSettings(change: (s: Settings) => Settings | void, dir = configDir()): Promise<Loaded<Settings>> {
  const loaded = await loadSettings(dir);
  const next = change(loaded.value) ?? loaded.value;
  await saveSettings(next, dir);
  return { value: next, ...(loaded.problem ? { problem: loaded.problem } : {}) };
}
