// Which recipe and which layer names a model starts with, as pure rules over what the host told us
// (the model list and the settings); AppState applies them when the active model changes.
import type { AppSettings, ModelInfo } from '../../contract/models.ts';
import type { LayerChoice, Recipe } from '../../contract/types.ts';
import { BLOCK_NAMES, layerNote } from './layerNotes.ts';
import { DEFAULT_PRESET } from './presets.ts';

const EMBEDDED_DEFAULT = DEFAULT_PRESET.recipe.model;

/**
 * The recipe to start from on a model: the last one dreamed with it, else the saved default recipe
 * if it is for this model, else the model's first curated recipe (InceptionV3: the Classic preset).
 */
export function startRecipe(model: string, settings: AppSettings | null, info: ModelInfo | null): Recipe | null {
  if (settings?.lastUsed.recipe?.model === model) return settings.lastUsed.recipe;
  if (settings?.defaultRecipe.model === model) return settings.defaultRecipe;
  const curated = info?.recipes[0]?.recipe;
  if (curated) return curated;
  return model === EMBEDDED_DEFAULT ? DEFAULT_PRESET.recipe : null;
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
