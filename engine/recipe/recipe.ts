// A recipe is plain, versioned JSON: everything needed to reproduce a dream from the same input.
import { channelMean, layerMean, scale, sum, type Objective } from '../objectives/objective.ts';
import { ReverieError } from '../shared/errors.ts';

export const RECIPE_VERSION = 1;

export interface LayerTerm {
  name: string;
  weight: number;
}
export interface ChannelTerm {
  layer: string;
  index: number;
  weight: number;
}

/** A class of the model's classifier ("jellyfish", or "#107"), dreamed toward by raising its logit. */
export interface ClassTerm {
  name: string;
  weight: number;
}

export interface Recipe {
  version: typeof RECIPE_VERSION;
  model: string;
  layers: LayerTerm[];
  channels: ChannelTerm[];
  /** Class objectives (models with an ImageNet head); absent in recipes written before they existed. */
  classes?: ClassTerm[];
  /** Gradient steps per octave. */
  steps: number;
  /** Step length in 0..255 pixel units (the update is normalised by the mean absolute gradient). */
  stepSize: number;
  octaves: number;
  /** Size ratio between consecutive octaves. */
  octaveScale: number;
  /** Largest square the gradient is computed on at once; larger images are tiled. */
  tileSize: number;
  /** Random roll per step, in pixels, so tile seams and border effects never stay in place. */
  jitter: number;
  seed: number;
}

export const DEFAULT_RECIPE: Recipe = {
  version: RECIPE_VERSION,
  model: 'inception_v3',
  layers: [
    { name: 'mixed3', weight: 1 },
    { name: 'mixed5', weight: 1 },
  ],
  channels: [],
  classes: [],
  steps: 10,
  stepSize: 1.5,
  octaves: 4,
  octaveScale: 1.4,
  tileSize: 512,
  jitter: 64,
  seed: 0,
};

export class RecipeError extends ReverieError {
  override name = 'RecipeError';
}

type Limits = { min: number; max: number; integer?: boolean };
const NUMBER_LIMITS: Record<'steps' | 'stepSize' | 'octaves' | 'octaveScale' | 'tileSize' | 'jitter' | 'seed', Limits> = {
  steps: { min: 0, max: 10_000, integer: true },
  stepSize: { min: 0, max: 100 },
  octaves: { min: 1, max: 12, integer: true },
  octaveScale: { min: 1, max: 4 },
  tileSize: { min: 64, max: 4096, integer: true },
  jitter: { min: 0, max: 4096, integer: true },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
};

function checkNumber(where: string, value: unknown, limits: Limits): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RecipeError(`${where} must be a number, got ${JSON.stringify(value)}.`);
  if (limits.integer && !Number.isInteger(value)) throw new RecipeError(`${where} must be a whole number, got ${value}.`);
  if (value < limits.min || value > limits.max) throw new RecipeError(`${where} must be between ${limits.min} and ${limits.max}, got ${value}.`);
  return value;
}

function checkKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length) throw new RecipeError(`${where} has unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')}).`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a recipe read from JSON; missing fields take the defaults, unknown ones are refused. */
export function parseRecipe(input: unknown, source = 'recipe'): Recipe {
  if (!isObject(input)) throw new RecipeError(`${source}: a recipe must be a JSON object.`);
  checkKeys(source, input, Object.keys(DEFAULT_RECIPE));
  const r: Recipe = { ...DEFAULT_RECIPE, ...input } as Recipe;
  if (r.version !== RECIPE_VERSION) throw new RecipeError(`${source}: recipe version ${JSON.stringify(r.version)} is not supported (this Reverie reads version ${RECIPE_VERSION}).`);
  if (typeof r.model !== 'string' || r.model.length === 0) throw new RecipeError(`${source}: "model" must be a non-empty string.`);
  for (const [key, limits] of Object.entries(NUMBER_LIMITS)) checkNumber(`${source}: "${key}"`, r[key as keyof typeof NUMBER_LIMITS], limits);
  if (!Array.isArray(r.layers) || !Array.isArray(r.channels) || !Array.isArray(r.classes)) throw new RecipeError(`${source}: "layers", "channels" and "classes" must be lists.`);
  const layers = r.layers.map((t, i) => {
    const where = `${source}: layers[${i}]`;
    if (!isObject(t)) throw new RecipeError(`${where} must be an object like {"name": "mixed3", "weight": 1}.`);
    checkKeys(where, t, ['name', 'weight']);
    if (typeof t['name'] !== 'string' || !t['name']) throw new RecipeError(`${where}.name must be a layer name.`);
    return { name: t['name'], weight: checkNumber(`${where}.weight`, t['weight'] ?? 1, { min: -1e6, max: 1e6 }) };
  });
  const channels = r.channels.map((t, i) => {
    const where = `${source}: channels[${i}]`;
    if (!isObject(t)) throw new RecipeError(`${where} must be an object like {"layer": "mixed4", "index": 97, "weight": 1}.`);
    checkKeys(where, t, ['layer', 'index', 'weight']);
    if (typeof t['layer'] !== 'string' || !t['layer']) throw new RecipeError(`${where}.layer must be a layer name.`);
    return {
      layer: t['layer'],
      index: checkNumber(`${where}.index`, t['index'], { min: 0, max: 1e6, integer: true }),
      weight: checkNumber(`${where}.weight`, t['weight'] ?? 1, { min: -1e6, max: 1e6 }),
    };
  });
  const classes = r.classes.map((t, i) => {
    const where = `${source}: classes[${i}]`;
    if (!isObject(t)) throw new RecipeError(`${where} must be an object like {"name": "jellyfish", "weight": 1}.`);
    checkKeys(where, t, ['name', 'weight']);
    if (typeof t['name'] !== 'string' || !t['name'].trim()) throw new RecipeError(`${where}.name must be a class name, e.g. "jellyfish" or "#107".`);
    return { name: t['name'], weight: checkNumber(`${where}.weight`, t['weight'] ?? 1, { min: -1e6, max: 1e6 }) };
  });
  if (layers.length + channels.length + classes.length === 0) throw new RecipeError(`${source}: name at least one layer or channel (or class) to dream on.`);
  return { ...r, layers, channels, classes };
}

/** Builds a class term's objective for one model (engine/model/classes.ts: classObjective bound to it). */
export type ClassObjectiveFactory = (name: string, weight: number) => Objective;

/**
 * The objective a recipe asks for: weighted layer means, channel means and class logits. Class terms
 * depend on the model's labels and head, so they need `classes` (this module stays model-free, and
 * so browser-safe); without it they are refused.
 */
export function recipeObjective(recipe: Pick<Recipe, 'layers' | 'channels' | 'classes'>, classes?: ClassObjectiveFactory): Objective {
  const terms = recipe.classes ?? [];
  if (terms.length > 0 && !classes) throw new RecipeError('Class terms need the model they score: pass its class objective factory to recipeObjective.');
  return sum(
    ...recipe.layers.map((l) => scale(layerMean(l.name), l.weight)),
    ...recipe.channels.map((c) => scale(channelMean(c.layer, c.index), c.weight)),
    ...terms.map((c) => classes!(c.name, c.weight)),
  );
}

/** "jellyfish" or "jellyfish:0.5" or "#107:2" → a class term (a class name may hold spaces, not colons). */
export function parseClassTerm(text: string): ClassTerm {
  const at = text.lastIndexOf(':');
  const tail = at > 0 ? text.slice(at + 1).trim() : '';
  const weighted = at > 0 && tail !== '' && Number.isFinite(Number(tail));
  const name = (weighted ? text.slice(0, at) : text).trim();
  if (!name || (at > 0 && !weighted)) throw new RecipeError(`"${text}" is not a class term; write name or name:weight, e.g. jellyfish or "sea anemone:0.5".`);
  return { name, weight: weighted ? Number(tail) : 1 };
}

/** "mixed3,mixed5:0.5" → layer terms. */
export function parseLayerList(text: string): LayerTerm[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [name, weight] = item.split(':');
      const w = weight === undefined ? 1 : Number(weight);
      if (!name || !Number.isFinite(w)) throw new RecipeError(`"${item}" is not a layer term; write name or name:weight, e.g. mixed3:0.5.`);
      return { name, weight: w };
    });
}

/** "mixed4:97" or "mixed4:97:-1" → a channel term. */
export function parseChannelTerm(text: string): ChannelTerm {
  const [layer, index, weight] = text.split(':');
  const i = Number(index);
  const w = weight === undefined ? 1 : Number(weight);
  if (!layer || !Number.isInteger(i) || i < 0 || !Number.isFinite(w)) {
    throw new RecipeError(`"${text}" is not a channel term; write layer:index or layer:index:weight, e.g. mixed4:97 or mixed4:97:-0.5.`);
  }
  return { layer, index: i, weight: w };
}
