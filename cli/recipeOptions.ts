// Builds a recipe from defaults, an optional recipe file or dreamed PNG, and explicit flags (in that order).
import { readFile } from 'node:fs/promises';
import { DEFAULT_RECIPE, parseChannelTerm, parseLayerList, parseRecipe, RecipeError, type Recipe } from '../engine/render/recipe.ts';
import { readRecipeFromPng } from '../engine/render/metadata.ts';

export interface RecipeFlags {
  recipe?: string | undefined;
  'recipe-from'?: string | undefined;
  model?: string | undefined;
  layers?: string | undefined;
  channel?: string[] | undefined;
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

export async function recipeFromFlags(flags: RecipeFlags): Promise<Recipe> {
  let base: unknown = DEFAULT_RECIPE;
  if (flags.recipe && flags['recipe-from']) throw new RecipeError('Use either --recipe or --recipe-from, not both.');
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
  const recipe = parseRecipe(base, flags.recipe ?? flags['recipe-from'] ?? 'recipe');
  const layersGiven = flags.layers !== undefined;
  const channelsGiven = (flags.channel?.length ?? 0) > 0;
  const merged: Recipe = {
    ...recipe,
    // Naming channels alone dreams on just those channels; naming layers replaces the recipe's layers.
    layers: layersGiven ? parseLayerList(flags.layers!) : channelsGiven ? [] : recipe.layers,
    channels: channelsGiven ? flags.channel!.map(parseChannelTerm) : layersGiven ? [] : recipe.channels,
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
