// Which recipe and which layer names a model starts with, as pure rules over what the host told us
// (the model list and the settings); AppState applies them when the active model changes.
import type { AppSettings, ModelInfo } from '../../contract/models.ts';
import type { LayerChoice, Recipe } from '../../contract/types.ts';
import { DEFAULT_RECIPE } from '../../engine/recipe/recipe.ts';
import { DEFAULT_PATTERN_SIZE } from '../../engine/recipe/octavePlan.ts';
import { BLOCK_NAMES, layerNote } from './layerNotes.ts';
import { DEFAULT_PRESET } from './presets.ts';

const EMBEDDED_DEFAULT = DEFAULT_PRESET.recipe.model;

/**
 * A built-in starting recipe as the app dreams it: octaves chosen from the image size (as the CLI's
 * defaults), so a 12 MP photo dreams like the same photo at 0.3 MP. One that already says how its
 * octaves are chosen keeps its choice.
 */
export function sizeAware(recipe: Recipe): Recipe {
  return recipe.patternSize === undefined ? { ...recipe, version: 2, patternSize: DEFAULT_PATTERN_SIZE } : recipe;
}

/** Key order does not matter: the saved default may come back from the host's JSON in another order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${k}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The recipe to start from on a model: the last one dreamed with it, else the saved default recipe
 * if it is for this model, else the model's first curated recipe (InceptionV3: the Classic preset).
 * The built-in ones (a saved default never customised included) are size-aware; the user's own
 * recipes keep their octave choice.
 */
export function startRecipe(model: string, settings: AppSettings | null, info: ModelInfo | null): Recipe | null {
  if (settings?.lastUsed.recipe?.model === model) return settings.lastUsed.recipe;
  const saved = settings?.defaultRecipe;
  if (saved?.model === model) return canonical(saved) === canonical(DEFAULT_RECIPE) ? sizeAware(saved) : saved;
  const curated = info?.recipes[0]?.recipe;
  if (curated) return sizeAware(curated);
  return model === EMBEDDED_DEFAULT ? sizeAware(DEFAULT_PRESET.recipe) : null;
}

/** The layers to offer while a model loads: its curated list with notes (InceptionV3: its blocks). */
export function placeholderLayers(model: string, info: ModelInfo | null): LayerChoice[] {
  const curated = info?.layers;
  if (curated?.length) return curated.map(({ name, note }) => ({ name, note, channels: 0, training: 'unknown' }));
  return model === EMBEDDED_DEFAULT ? BLOCK_NAMES.map((name) => ({ name, note: layerNote(name), channels: 0, training: 'unknown' })) : [];
}

/** `recipe` pointed at another model with nothing to dream on yet (the user picks its layers). */
export function emptyRecipeFor(recipe: Recipe, model: string): Recipe {
  return { ...recipe, model, layers: [], channels: [], classes: [] };
}
