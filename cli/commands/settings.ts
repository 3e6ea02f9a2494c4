// `reverie settings`: what persists across runs (backend, default recipe, output folder, last used
// values), shown, read and changed one key at a time.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backendChoices, type BackendChoice } from '../../engine/backend.ts';
import { DEFAULT_RECIPE, parseRecipe, type Recipe } from '../../engine/recipe/recipe.ts';
import { curatedRecipe } from '../../engine/model/curated.ts';
import { backendInfos, fastestBackend } from '../../engine/settings/backends.ts';
import { loadSettings, settingsFile, updateSettings, DEFAULT_SETTINGS, type Settings } from '../../engine/settings/settings.ts';
import { PresetStore } from '../../engine/settings/presets.ts';
import { UsageError } from '../shared.ts';
import { parseDeviceFlag } from '../device.ts';

const LAST_USED = ['model', 'preset', 'inputFolder', 'outputFolder'] as const;
const KEYS = ['backend', 'device', 'outputFolder', 'defaultRecipe', ...LAST_USED.map((k) => `lastUsed.${k}`)];

export const settingsHelp = `reverie settings [--json]
reverie settings get KEY
reverie settings set KEY VALUE
reverie settings reset

Keys: ${KEYS.join(', ')}.
  backend        auto | tensorflow | wasm | cpu | webgl (reverie settings shows what each is)
  device         auto | cpu | webgpu | dml | coreml | cuda: where dream steps run (reverie devices)
  outputFolder   a folder for results, or "none" (next to the input)
  defaultRecipe  a preset name, a recipe .json file, MODEL:RECIPE from the curated recipes
                 (e.g. mobilenet_v2:textures; reverie models recipes MODEL), or "default"
Settings live in settings.json in the config folder
($REVERIE_CONFIG_DIR, else $REVERIE_DATA_DIR/config, else $XDG_CONFIG_HOME/reverie, else
~/.config/reverie); a corrupt file is set aside, not lost.`;

async function recipeFrom(value: string): Promise<Recipe> {
  if (value === 'default') return DEFAULT_RECIPE;
  if (value.toLowerCase().endsWith('.json') && existsSync(value)) return parseRecipe(JSON.parse(await readFile(value, 'utf8')), value);
  const curated = /^([\w.-]+):([\w-]+)$/.exec(value);
  if (curated) return curatedRecipe(curated[1]!, curated[2]!);
  return (await new PresetStore().get(value)).recipe;
}

function get(s: Settings, key: string): unknown {
  if (key.startsWith('lastUsed.')) return s.lastUsed[key.slice('lastUsed.'.length) as (typeof LAST_USED)[number]] ?? null;
  return s[key as 'backend' | 'device' | 'outputFolder' | 'defaultRecipe'];
}

async function set(s: Settings, key: string, value: string): Promise<Settings> {
  switch (key) {
    case 'backend':
      if (!backendChoices.includes(value as BackendChoice)) throw new UsageError(`backend must be one of ${backendChoices.join(', ')}, got "${value}".`);
      return { ...s, backend: value as BackendChoice };
    case 'device':
      return { ...s, device: parseDeviceFlag(value) };
    case 'outputFolder': {
      if (value === 'none') return { ...s, outputFolder: null };
      const folder = resolve(value);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`outputFolder "${value}" is not an existing folder.`);
      return { ...s, outputFolder: folder };
    }
    case 'defaultRecipe':
      return { ...s, defaultRecipe: await recipeFrom(value) };
    default: {
      const k = key.slice('lastUsed.'.length) as (typeof LAST_USED)[number];
      return { ...s, lastUsed: { ...s.lastUsed, [k]: value } };
    }
  }
}

function show(s: Settings): string {
  const fastest = fastestBackend();
  const backends = backendInfos().map((b) => `  ${b.choice === s.backend ? '*' : ' '} ${b.choice.padEnd(10)} ${b.description}${b.available ? '' : ' (not available here)'}${b.choice === fastest ? ' [fastest here]' : ''}`);
  const r = s.defaultRecipe;
  const terms = [...r.layers.map((l) => l.name), ...r.channels.map((c) => `${c.layer}:${c.index}`), ...(r.classes ?? []).map((c) => `class ${c.name}`)];
  return [
    `backend        ${s.backend}`,
    ...backends,
    `device         ${s.device} (reverie devices lists what this machine offers)`,
    `outputFolder   ${s.outputFolder ?? 'none (results go next to the input)'}`,
    `defaultRecipe  ${r.model}: ${terms.join(' + ')}; ${r.steps} steps x ${r.octaves} octaves`,
    ...LAST_USED.map((k) => `${`lastUsed.${k}`.padEnd(22)} ${s.lastUsed[k] ?? '-'}`),
    `(stored in ${settingsFile()})`,
  ].join('\n');
}

export async function settingsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const [verb = 'show', key, value] = positionals;
  const loaded = await loadSettings();
  if (loaded.problem) process.stderr.write(`Warning: ${loaded.problem}\n`);
  if (verb === 'show') {
    const json = { settings: loaded.value, backends: backendInfos(), fastestBackend: fastestBackend(), file: settingsFile() };
    process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${show(loaded.value)}\n`);
    return;
  }
  if (verb === 'reset') {
    await updateSettings(() => structuredClone(DEFAULT_SETTINGS));
    process.stdout.write('Settings reset to their defaults.\n');
    return;
  }
  if (verb !== 'get' && verb !== 'set') throw new UsageError(`Unknown settings command "${verb}".`, settingsHelp);
  if (!key || !KEYS.includes(key)) throw new UsageError(`Name a key: ${KEYS.join(', ')}.`, settingsHelp);
  if (verb === 'get') {
    const v = get(loaded.value, key);
    process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`);
    return;
  }
  if (value === undefined) throw new UsageError(`Give a value for ${key}.`, settingsHelp);
  const next = await set(loaded.value, key, value);
  await updateSettings(() => next);
  process.stdout.write(`${key} = ${typeof get(next, key) === 'string' ? get(next, key) : JSON.stringify(get(next, key))}\n`);
}
