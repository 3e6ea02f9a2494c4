// Starting points that give a good result at the first click. "Classic" is the engine's default
// recipe itself; every preset is a complete recipe the engine accepts.
import type { Recipe } from '../../contract/types.ts';
import { DEFAULT_RECIPE } from '../../engine/recipe/recipe.ts';

export interface Preset {
  id: string;
  name: string;
  blurb: string;
  recipe: Recipe;
  /** One the user saved (Models panel), not a built-in or curated one. */
  saved?: boolean;
}

const base: Recipe = DEFAULT_RECIPE;

const preset = (id: string, name: string, blurb: string, changes: Partial<Recipe>): Preset => ({ id, name, blurb, recipe: { ...base, ...changes } });

export const PRESETS: Preset[] = [
  preset('classic', 'Classic', 'Swirls and eyes, the deepdream look', {}),
  preset('quick', 'Quick sketch', 'A fast, light first look', { layers: [{ name: 'mixed3', weight: 1 }], steps: 5, octaves: 3 }),
  preset('textures', 'Textures', 'Fine weaves over everything', { layers: [{ name: 'mixed1', weight: 1 }, { name: 'mixed2', weight: 1 }], steps: 12, stepSize: 2, octaves: 5, octaveScale: 1.3 }),
  preset('creatures', 'Creatures', 'Eyes, fur and faces', { layers: [{ name: 'mixed4', weight: 0.5 }, { name: 'mixed5', weight: 1 }], steps: 14, octaves: 5 }),
  preset('deep', 'Deep & strange', 'Fine-tuned layers, bold shapes', { layers: [{ name: 'mixed7', weight: 1 }, { name: 'mixed8', weight: 0.5 }], steps: 12, stepSize: 2, octaves: 5 }),
  preset('gentle', 'Gentle', 'A light touch that keeps the photo', { steps: 6, stepSize: 0.8, octaves: 3 }),
];

export const DEFAULT_PRESET = PRESETS[0]!;

function sameTerms<T>(a: T[], b: T[]): boolean {
  return a.length === b.length && a.every((x, i) => JSON.stringify(x) === JSON.stringify(b[i]));
}

/** Starting points for a model: these for InceptionV3, the model's curated recipes for the others. */
export function presetsFor(model: string, curated: ReadonlyArray<{ name: string; description: string; recipe: Recipe }>): Preset[] {
  if (model === base.model) return PRESETS;
  return curated.map((c) => ({ id: `${model}:${c.name}`, name: c.name.charAt(0).toUpperCase() + c.name.slice(1), blurb: c.description, recipe: c.recipe }));
}

/** The user's saved presets for this model, as preset-grid entries. */
export function savedPresets(model: string, saved: ReadonlyArray<{ name: string; description?: string; recipe: Recipe }>): Preset[] {
  return saved.filter((s) => s.recipe.model === model).map((s) => ({ id: `saved:${s.name}`, name: s.name, blurb: s.description ?? 'Your preset', recipe: s.recipe, saved: true }));
}

/**
 * The preset this recipe is, if any (the seed does not count: it varies freely). `lookOnly`
 * compares what is dreamed on (layers, channels, classes, model): Zoom and Paint keep their own
 * lighter steps and octaves per frame.
 */
export function matchPreset(recipe: Recipe, presets: readonly Preset[] = PRESETS, lookOnly = false): Preset | null {
  return (
    presets.find((p) => {
      const r = p.recipe;
      const sameLook = sameTerms(r.layers, recipe.layers) && sameTerms(r.channels, recipe.channels) && sameTerms(r.classes ?? [], recipe.classes ?? []) && r.model === recipe.model;
      return (
        sameLook &&
        (lookOnly ||
        r.steps === recipe.steps &&
        r.stepSize === recipe.stepSize &&
        r.octaves === recipe.octaves &&
        r.octaveScale === recipe.octaveScale &&
        r.tileSize === recipe.tileSize &&
        r.jitter === recipe.jitter)
      );
    }) ?? null
  );
}
