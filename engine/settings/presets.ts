// Named recipes the user saves, renames, deletes, and shares as JSON files. Stored together in
// presets.json in the config folder (atomic writes; a corrupt store is set aside, never lost).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecipe, RecipeError, type Recipe } from '../recipe/recipe.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { configDir } from './paths.ts';
import { isObject, readJsonFile, SettingsError, writeJsonFile, type Loaded } from './jsonFile.ts';
import { ReverieError } from '../shared/errors.ts';

export interface Preset {
  name: string;
  description?: string;
  recipe: Recipe;
  createdAt: string;
  updatedAt: string;
}

/** A preset as shared between people: one file, self-describing. */
export interface PresetFile {
  reverie: 'preset';
  version: 1;
  name: string;
  description?: string;
  recipe: Recipe;
}

export class PresetError extends ReverieError {
  override name = 'PresetError';
}

export const presetsFile = (dir = configDir()) => join(dir, 'presets.json');

/** 1-64 printable characters, no slashes (names become file names on export). */
export function checkPresetName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!n || n.length > 64 || /[/\\]/.test(n) || [...n].some((ch) => ch.charCodeAt(0) < 32)) {
    throw new PresetError(`${JSON.stringify(name)} is not a usable preset name: use 1-64 characters, no slashes or control characters.`);
  }
  return n;
}

function parsePreset(v: unknown, where: string): Preset {
  if (!isObject(v)) throw new SettingsError(`${where} must be an object.`);
  const name = checkPresetName(v['name']);
  let recipe: Recipe;
  try {
    recipe = parseRecipe(v['recipe'], `${where} ("${name}")`);
  } catch (err) {
    throw err instanceof RecipeError ? new SettingsError(err.message) : err;
  }
  const time = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : new Date(0).toISOString());
  return { name, ...(typeof v['description'] === 'string' ? { description: v['description'] } : {}), recipe, createdAt: time('createdAt'), updatedAt: time('updatedAt') };
}

function parseStore(json: unknown, source: string): Preset[] {
  if (!isObject(json) || json['version'] !== 1 || !Array.isArray(json['presets'])) throw new SettingsError(`${source}: expected {"version": 1, "presets": [...]}.`);
  const presets = json['presets'].map((p, i) => parsePreset(p, `${source}: presets[${i}]`));
  const dup = presets.find((p, i) => presets.findIndex((q) => q.name === p.name) !== i);
  if (dup) throw new SettingsError(`${source}: preset "${dup.name}" appears twice.`);
  return presets;
}

export class PresetStore {
  constructor(readonly dir = configDir()) {}

  get file(): string {
    return presetsFile(this.dir);
  }

  /** Every preset, by name; a corrupt store is set aside and reported in `problem`. */
  async load(): Promise<Loaded<Preset[]>> {
    return readJsonFile(this.file, parseStore, () => []);
  }

  async list(): Promise<Preset[]> {
    return (await this.load()).value;
  }

  async get(name: string): Promise<Preset> {
    const presets = await this.list();
    const hit = presets.find((p) => p.name === name.trim());
    if (!hit) throw new PresetError(`No preset named "${name}"${presets.length ? `; saved presets: ${presets.map((p) => p.name).join(', ')}` : ' (none saved yet: reverie presets save NAME ...)'}.`);
    return hit;
  }

  private async change(edit: (presets: Preset[]) => Preset[]): Promise<void> {
    const loaded = await this.load();
    await writeJsonFile(this.file, { version: 1, presets: edit(loaded.value) });
  }

  /** Saves a recipe under a name; an existing name is refused unless `overwrite`. */
  async save(name: string, recipe: Recipe, opts: { description?: string; overwrite?: boolean } = {}): Promise<Preset> {
    const n = checkPresetName(name);
    const checked = parseRecipe(recipe, `preset "${n}"`);
    const now = new Date().toISOString();
    let saved!: Preset;
    await this.change((presets) => {
      const old = presets.find((p) => p.name === n);
      if (old && !opts.overwrite) throw new PresetError(`A preset named "${n}" exists; pass --force to replace it, or choose another name.`);
      saved = { name: n, ...(opts.description ? { description: opts.description } : {}), recipe: checked, createdAt: old?.createdAt ?? now, updatedAt: now };
      return [...presets.filter((p) => p.name !== n), saved];
    });
    return saved;
  }

  async rename(from: string, to: string): Promise<Preset> {
    const target = checkPresetName(to);
    const source = (await this.get(from)).name;
    let renamed!: Preset;
    await this.change((presets) => {
      if (target !== source && presets.some((p) => p.name === target)) throw new PresetError(`A preset named "${target}" exists already.`);
      return presets.map((p) => (p.name === source ? (renamed = { ...p, name: target, updatedAt: new Date().toISOString() }) : p));
    });
    return renamed;
  }

  async delete(name: string): Promise<void> {
    const n = (await this.get(name)).name;
    await this.change((presets) => presets.filter((p) => p.name !== n));
  }

  /** One preset as shared between people (what export writes). */
  async shareable(name: string): Promise<PresetFile> {
    const p = await this.get(name);
    return { reverie: 'preset', version: 1, name: p.name, ...(p.description ? { description: p.description } : {}), recipe: p.recipe };
  }

  /** Writes one preset as a shareable JSON file (atomically). */
  async export(name: string, file: string): Promise<PresetFile> {
    const out = await this.shareable(name);
    await writeFileAtomic(file, `${JSON.stringify(out, null, 2)}\n`);
    return out;
  }

  /** Reads a preset file (or a bare recipe JSON, named after `as`) and saves it. */
  async import(file: string, opts: { as?: string; overwrite?: boolean } = {}): Promise<Preset> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new PresetError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
    return this.importText(text, file, opts);
  }

  /** The same from a file's text; `source` names it in errors (the app sends file contents, not paths). */
  async importText(text: string, source: string, opts: { as?: string; overwrite?: boolean } = {}): Promise<Preset> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new PresetError(`${source}: not valid JSON (${(err as Error).message}).`);
    }
    const wrapped = isObject(json) && json['reverie'] === 'preset';
    if (!wrapped && !opts.as) throw new PresetError(`${source} is not a Reverie preset file; to import a bare recipe, name it with --as NAME.`);
    const body = wrapped ? (json as Record<string, unknown>) : { name: opts.as, recipe: json };
    if (wrapped && body['version'] !== 1) throw new PresetError(`${source}: preset file version ${JSON.stringify(body['version'])} is not supported.`);
    let preset: Preset;
    try {
      preset = parsePreset({ ...body, name: opts.as ?? body['name'] }, source);
    } catch (err) {
      throw err instanceof SettingsError ? new PresetError(err.message) : err;
    }
    return this.save(preset.name, preset.recipe, { ...(preset.description ? { description: preset.description } : {}), ...(opts.overwrite ? { overwrite: true } : {}) });
  }
}
