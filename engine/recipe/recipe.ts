// A recipe is plain, versioned JSON: everything needed to reproduce a dream from the same input.
import { channelMean, layerMean, scale, sum, type Objective } from '../objectives/objective.ts';
import { ReverieError } from '../shared/errors.ts';

/**
 * The newest version this Reverie reads. Version 2 added patternSize, fade, mask, guide and per-term
 * masks; a recipe that uses none of them is still written as version 1, so older readers keep reading it.
 */
export const RECIPE_VERSION = 2;

/** Painted masks and guide images are named by content (see assets.ts): "sha256:" and 64 hex digits. */
export type AssetHash = string;

export interface LayerTerm {
  name: string;
  weight: number;
  /** v2: where this term dreams (white) and where it does not (black). */
  mask?: AssetHash;
}
export interface ChannelTerm {
  layer: string;
  index: number;
  weight: number;
  mask?: AssetHash;
}

/** A class of the model's classifier ("jellyfish", or "#107"), dreamed toward by raising its logit. */
export interface ClassTerm {
  name: string;
  weight: number;
  mask?: AssetHash;
}

export interface Recipe {
  version: 1 | typeof RECIPE_VERSION;
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
  /**
   * v2: pattern size as a fraction of the image's short side. When set, the octave count follows the
   * image size (octavePlan.ts) so a large photo dreams like a small one, only sharper; `octaves` is unused.
   */
  patternSize?: number;
  /** v2: 0..100, blends the result back toward the input (Photoshop's Fade); 0 keeps the full dream. */
  fade?: number;
  /** v2: painted mask for the whole recipe: white dreams, black keeps, grey blends. */
  mask?: AssetHash;
  /** v2: guide image: layer terms match its features at their layers instead of raising activations. */
  guide?: AssetHash;
}

export const DEFAULT_RECIPE: Recipe = {
  version: 1,
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

const V2_FIELDS = ['patternSize', 'fade', 'mask', 'guide'] as const;
const HASH = /^sha256:[0-9a-f]{64}$/;

function checkHash(where: string, value: unknown): AssetHash {
  if (typeof value !== 'string' || !HASH.test(value)) throw new RecipeError(`${where} must be a content hash like "sha256:" and 64 hex digits, got ${JSON.stringify(value)}.`);
  return value;
}

/** A term's optional mask, copied only when present so version-1 terms round-trip unchanged. */
function termMask(where: string, t: Record<string, unknown>): { mask?: AssetHash } {
  return t['mask'] === undefined ? {} : { mask: checkHash(`${where}.mask`, t['mask']) };
}

/** The version-2 fields that are set, checked. */
function v2Fields(source: string, r: Record<string, unknown>): Partial<Recipe> {
  const out: Partial<Recipe> = {};
  if (r['patternSize'] !== undefined) out.patternSize = checkNumber(`${source}: "patternSize"`, r['patternSize'], { min: 0.005, max: 1 });
  if (r['fade'] !== undefined) out.fade = checkNumber(`${source}: "fade"`, r['fade'], { min: 0, max: 100 });
  if (r['mask'] !== undefined) out.mask = checkHash(`${source}: "mask"`, r['mask']);
  if (r['guide'] !== undefined) out.guide = checkHash(`${source}: "guide"`, r['guide']);
  return out;
}

/** Validates a recipe read from JSON; missing fields take the defaults, unknown ones are refused. */
export function parseRecipe(input: unknown, source = 'recipe'): Recipe {
  if (!isObject(input)) throw new RecipeError(`${source}: a recipe must be a JSON object.`);
  checkKeys(source, input, [...Object.keys(DEFAULT_RECIPE), ...V2_FIELDS]);
  // Absent version-2 fields mean "off" in every version, so a version-1 recipe dreams as it always did.
  const r: Recipe = { ...DEFAULT_RECIPE, ...input } as Recipe;
  if (r.version !== 1 && r.version !== RECIPE_VERSION) throw new RecipeError(`${source}: recipe version ${JSON.stringify(r.version)} is not supported (this Reverie reads versions 1 to ${RECIPE_VERSION}).`);
  if (typeof r.model !== 'string' || r.model.length === 0) throw new RecipeError(`${source}: "model" must be a non-empty string.`);
  for (const [key, limits] of Object.entries(NUMBER_LIMITS)) checkNumber(`${source}: "${key}"`, r[key as keyof typeof NUMBER_LIMITS], limits);
  if (!Array.isArray(r.layers) || !Array.isArray(r.channels) || !Array.isArray(r.classes)) throw new RecipeError(`${source}: "layers", "channels" and "classes" must be lists.`);
  const layers = r.layers.map((t, i) => {
    const where = `${source}: layers[${i}]`;
    if (!isObject(t)) throw new RecipeError(`${where} must be an object like {"name": "mixed3", "weight": 1}.`);
    checkKeys(where, t, ['name', 'weight', 'mask']);
    if (typeof t['name'] !== 'string' || !t['name']) throw new RecipeError(`${where}.name must be a layer name.`);
    return { name: t['name'], weight: checkNumber(`${where}.weight`, t['weight'] ?? 1, { min: -1e6, max: 1e6 }), ...termMask(where, t) };
  });
  const channels = r.channels.map((t, i) => {
    const where = `${source}: channels[${i}]`;
    if (!isObject(t)) throw new RecipeError(`${where} must be an object like {"layer": "mixed4", "index": 97, "weight": 1}.`);
    checkKeys(where, t, ['layer', 'index', 'weight', 'mask']);
    if (typeof t['layer'] !== 'string' || !t['layer']) throw new RecipeError(`${where}.layer must be a layer name.`);
    return {
      layer: t['layer'],
      index: checkNumber(`${where}.index`, t['index'], { min: 0, max: 1e6, integer: true }),
      weight: checkNumber(`${where}.weight`, t['weight'] ?? 1, { min: -1e6, max: 1e6 }),
      ...termMask(where, t),
    };
  });
  const classes = r.classes.map((t, i) => {
    const where = `${source}: classes[${i}]`;
    if (!isObject(t)) throw new RecipeError(`${where} must be an object like {"name": "jellyfish", "weight": 1}.`);
    checkKeys(where, t, ['name', 'weight', 'mask']);
    if (typeof t['name'] !== 'string' || !t['name'].trim()) throw new RecipeError(`${where}.name must be a class name, e.g. "jellyfish" or "#107".`);
    return { name: t['name'], weight: checkNumber(`${where}.weight`, t['weight'] ?? 1, { min: -1e6, max: 1e6 }), ...termMask(where, t) };
  });
  if (layers.length + channels.length + classes.length === 0) throw new RecipeError(`${source}: name at least one layer or channel (or class) to dream on.`);
  const base: Record<string, unknown> = { ...r };
  for (const k of V2_FIELDS) delete base[k];
  const extras = v2Fields(source, input);
  const usesV2 = Object.keys(extras).length > 0 || [...layers, ...channels, ...classes].some((t) => t.mask !== undefined);
  return { ...(base as unknown as Recipe), version: usesV2 ? RECIPE_VERSION : 1, layers, channels, classes, ...extras };
}

/** Every asset (mask, guide) a recipe names, once each. */
export function recipeAssets(recipe: Recipe): AssetHash[] {
  const terms = [...recipe.layers, ...recipe.channels, ...(recipe.classes ?? [])];
  return [...new Set([recipe.mask, recipe.guide, ...terms.map((t) => t.mask)].filter((h): h is AssetHash => h !== undefined))];
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
