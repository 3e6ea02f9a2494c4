// Builds a recipe from the saved default recipe (`reverie settings set defaultRecipe …`, else the
// built-in defaults), or instead an explicit recipe file, dreamed PNG or saved preset, and then the
// explicit flags, which always win.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_RECIPE, parseChannelTerm, parseClassTerm, parseLayerList, parseRecipe, RecipeError, type Recipe } from '../engine/recipe/recipe.ts';
import { readRecipeFromPng } from '../engine/render/metadata.ts';
import { DEFAULT_PATTERN_SIZE } from '../engine/recipe/octavePlan.ts';
import { curatedRecipe } from '../engine/model/curated.ts';
import { readAssetsFromPng, readGuide, readMask, type Asset } from '../engine/io/assets.ts';
import { PresetStore } from '../engine/settings/presets.ts';
import { loadSettings } from '../engine/settings/settings.ts';
import { resolveAssetPaths } from './recipeAssets.ts';

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
  'pattern-size'?: string | undefined;
  fade?: string | undefined;
  mask?: string | undefined;
  guide?: string | undefined;
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
  'pattern-size': { type: 'string' },
  fade: { type: 'string' },
  mask: { type: 'string' },
  guide: { type: 'string' },
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
                              saved by reverie settings set defaultRecipe, or the built-in one;
                              with --model and no layers named: that model's curated default)
  --pattern-size F            pattern size as a fraction of the short side (default ${DEFAULT_PATTERN_SIZE});
                              the octave count then follows the image size; --octaves fixes it instead
  --fade 0-100                blend the result back toward the input (100 = the input)
  --mask MASK.png             paint where to dream: white dreams, black keeps, grey blends
  --guide GUIDE.jpg           dream toward what the network sees in this image (at the recipe's layers)`;

/**
 * The recipe the flags ask for. Masks and guides it names (by --mask, --guide, paths in a --recipe
 * file, or carried by a --recipe-from PNG) are added to `assets`, so the caller can pass them to
 * dream() and embed them in what it writes.
 */
export async function recipeFromFlags(flags: RecipeFlags, assets: Asset[] = []): Promise<Recipe> {
  const bases = [flags.recipe, flags['recipe-from'], flags.preset].filter(Boolean).length;
  if (bases > 1) throw new RecipeError('Use one of --recipe, --recipe-from and --preset, not several.');
  if (flags.octaves && flags['pattern-size']) throw new RecipeError('Use --octaves (a fixed count) or --pattern-size (a count that follows the image size), not both.');
  // No recipe named: the saved default recipe is the base (a corrupt settings file is set aside; defaults then).
  const saved = bases === 0 ? (await loadSettings()).value.defaultRecipe : undefined;
  // The built-in default (never customised) is size-aware, and follows --model to its curated recipe.
  const builtIn = saved !== undefined && isDeepStrictEqual(saved, DEFAULT_RECIPE);
  let base: unknown = saved ?? DEFAULT_RECIPE;
  // (A saved recipe keeps its settings for another model; only its terms follow the model, below.)
  if (builtIn && flags.model) base = curatedRecipe(flags.model);
  if (builtIn && !flags.octaves) base = { ...(base as Recipe), patternSize: DEFAULT_PATTERN_SIZE };
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
    base = await resolveAssetPaths(base, dirname(flags.recipe), assets);
  }
  if (flags['recipe-from']) {
    base = await readRecipeFromPng(flags['recipe-from']);
    assets.push(...(await readAssetsFromPng(flags['recipe-from'])));
  }
  if (flags.preset) base = (await new PresetStore().get(flags.preset)).recipe;
  const recipe = parseRecipe(base, flags.recipe ?? flags['recipe-from'] ?? (flags.preset ? `preset "${flags.preset}"` : 'the default recipe'));
  const layersGiven = flags.layers !== undefined;
  const channelsGiven = (flags.channel?.length ?? 0) > 0;
  const classesGiven = (flags.class?.length ?? 0) > 0;
  // Naming any objective terms (layers, channels, classes) replaces all of the recipe's terms.
  const termsGiven = layersGiven || channelsGiven || classesGiven;
  // Another model and no terms named: its curated default terms (the base's would not be its layers).
  const terms = flags.model && flags.model !== recipe.model && !termsGiven ? curatedRecipe(flags.model) : recipe;
  const merged: Recipe = {
    ...recipe,
    layers: layersGiven ? parseLayerList(flags.layers!) : termsGiven ? [] : terms.layers,
    channels: channelsGiven ? flags.channel!.map(parseChannelTerm) : termsGiven ? [] : terms.channels,
    classes: classesGiven ? flags.class!.map(parseClassTerm) : termsGiven ? [] : (terms.classes ?? []),
  };
  if (flags.model) merged.model = flags.model;
  if (flags['pattern-size']) merged.patternSize = num('pattern-size', flags['pattern-size']);
  if (flags.fade) merged.fade = num('fade', flags.fade);
  if (flags.mask) {
    const mask = await readMask(flags.mask);
    assets.push(mask);
    merged.mask = mask.hash;
  }
  if (flags.guide) {
    const guide = await readGuide(flags.guide);
    assets.push(guide);
    merged.guide = guide.hash;
  }
  if (flags.steps) merged.steps = num('steps', flags.steps);
  if (flags['step-size']) merged.stepSize = num('step-size', flags['step-size']);
  if (flags.octaves) {
    merged.octaves = num('octaves', flags.octaves);
    delete merged.patternSize;
  }
  if (flags['octave-scale']) merged.octaveScale = num('octave-scale', flags['octave-scale']);
  if (flags.tile) merged.tileSize = num('tile', flags.tile);
  if (flags.jitter) merged.jitter = num('jitter', flags.jitter);
  if (flags.seed) merged.seed = num('seed', flags.seed);
  return parseRecipe(merged, 'options');
}
