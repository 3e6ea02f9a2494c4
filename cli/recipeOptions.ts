// Builds a recipe from the saved default recipe (`reverie settings set defaultRecipe …`, else the
// built-in defaults), or instead an explicit recipe file, dreamed PNG or saved preset, and then the
// explicit flags, which always win.
import { readFile } from 'node:fs/promises';
import { DEFAULT_RECIPE, parseChannelTerm, parseClassTerm, parseLayerList, parseRecipe, RecipeError, type Recipe } from '../engine/recipe/recipe.ts';
import { readRecipeFromPng } from '../engine/render/metadata.ts';
import { PresetStore } from '../engine/settings/presets.ts';
import { loadSettings } from '../engine/settings/settings.ts';

export interface RecipeFlags {
  recipe?: string | undefined;
  'recipe-from'?: string | undefined;
  model?: string | undefined;
  layers?: string | undefined;
  channel?: string[] | undefined;
  class?: string[] | undefined;
  preset?: string | undefined;
  steps?: string | undefined;
  'step-size'?: string | undefined;
  octaves?: string | undefined;
  'octave-scale'?: string | undefined;
  tile?: string | undefined;
  jitter?: string | undefined;
  seed?: string | undefined;
}

export const recipeFlagSpec = {
  recipe: { type: 'string' },
  'recipe-from': { type: 'string' },
  model: { type: 'string' },
  layers: { type: 'string' },
  channel: { type: 'string', multiple: true },
  class: { type: 'string', multiple: true },
  preset: { type: 'string' },
  steps: { type: 'string' },
  'step-size': { type: 'string' },
  octaves: { type: 'string' },
  'octave-scale': { type: 'string' },
  tile: { type: 'string' },
  jitter: { type: 'string' },
  seed: { type: 'string' },
} as const;

function num(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new RecipeError(`--${flag} expects a number, got "${v}".`);
  return n;
}

/** Help lines for the flags this module adds after the original set. */
export const recipeFlagHelp = `  --class NAME[:W]            dream toward a class of the model's ImageNet head, e.g. jellyfish (repeatable)
  --preset NAME               start from a saved preset (reverie presets list); flags override it
                              (with none of --recipe, --recipe-from, --preset: the default recipe
                              saved by reverie settings set defaultRecipe, or the built-in one)`;

export async function recipeFromFlags(flags: RecipeFlags): Promise<Recipe> {
  const bases = [flags.recipe, flags['recipe-from'], flags.preset].filter(Boolean).length;
  if (bases > 1) throw new RecipeError('Use one of --recipe, --recipe-from and --preset, not several.');
  // No recipe named: the saved default recipe is the base (a corrupt settings file is set aside; defaults then).
  let base: unknown = bases === 0 ? (await loadSettings()).value.defaultRecipe : DEFAULT_RECIPE;
  if (flags.recipe) {
    let text: string;
    try {
      text = await readFile(flags.recipe, 'utf8');
    } catch (err) {
      throw new RecipeError(`${flags.recipe}: cannot read the recipe (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
    try {
      base = JSON.parse(text);
    } catch (err) {
      throw new RecipeError(`${flags.recipe}: not valid JSON (${(err as Error).message}).`);
    }
  }
  if (flags['recipe-from']) base = await readRecipeFromPng(flags['recipe-from']);
  if (flags.preset) base = (await new PresetStore().get(flags.preset)).recipe;
  const recipe = parseRecipe(base, flags.recipe ?? flags['recipe-from'] ?? (flags.preset ? `preset "${flags.preset}"` : 'the default recipe'));
  const layersGiven = flags.layers !== undefined;
  const channelsGiven = (flags.channel?.length ?? 0) > 0;
  const classesGiven = (flags.class?.length ?? 0) > 0;
  // Naming any objective terms (layers, channels, classes) replaces all of the recipe's terms.
  const termsGiven = layersGiven || channelsGiven || classesGiven;
  const merged: Recipe = {
    ...recipe,
    layers: layersGiven ? parseLayerList(flags.layers!) : termsGiven ? [] : recipe.layers,
    channels: channelsGiven ? flags.channel!.map(parseChannelTerm) : termsGiven ? [] : recipe.channels,
    classes: classesGiven ? flags.class!.map(parseClassTerm) : termsGiven ? [] : (recipe.classes ?? []),
  };
  if (flags.model) merged.model = flags.model;
  if (flags.steps) merged.steps = num('steps', flags.steps);
  if (flags['step-size']) merged.stepSize = num('step-size', flags['step-size']);
  if (flags.octaves) merged.octaves = num('octaves', flags.octaves);
  if (flags['octave-scale']) merged.octaveScale = num('octave-scale', flags['octave-scale']);
  if (flags.tile) merged.tileSize = num('tile', flags.tile);
  if (flags.jitter) merged.jitter = num('jitter', flags.jitter);
  if (flags.seed) merged.seed = num('seed', flags.seed);
  return parseRecipe(merged, 'options');
}
