// The Dream panel's version-2 controls: octaves from the image size with a pattern size, and fade.
import { describe, expect, it } from 'vitest';
import { RecipeState } from './recipe.svelte.ts';
import { ARTIST_FIELDS, DEFAULT_PATTERN_SIZE } from '../lib/recipeFields.ts';
import { DEFAULT_PATTERN_SIZE as ENGINE_PATTERN_SIZE } from '../../engine/recipe/octavePlan.ts';
import { parseRecipe } from '../../engine/recipe/recipe.ts';

describe('RecipeState: pattern size and fade', () => {
  it('starts with fixed octaves and no fade (a version-1 recipe); the default pattern size is the engine’s', () => {
    const r = new RecipeState();
    expect(r.recipe.version).toBe(1);
    expect(r.recipe).not.toHaveProperty('patternSize');
    expect(DEFAULT_PATTERN_SIZE).toBe(ENGINE_PATTERN_SIZE);
    for (const spec of Object.values(ARTIST_FIELDS)) for (const v of [spec.min, spec.max]) expect(() => parseRecipe({ ...r.recipe, [spec.key]: v })).not.toThrow();
  });

  it('writes version 2 with the fields the engine reads, clamps, loads back, and keeps them across presets', () => {
    const r = new RecipeState();
    r.setAutoOctaves(true);
    r.setFade(140);
    expect(r.recipe).toMatchObject({ version: 2, patternSize: DEFAULT_PATTERN_SIZE, fade: 100 });
    r.setPatternSize(0.123);
    expect(r.patternSize).toBe(0.12);
    expect(parseRecipe(r.recipe)).toEqual(r.recipe);
    r.applyPreset('quick');
    expect(r.recipe).toMatchObject({ patternSize: 0.12, fade: 100, steps: 5 });
    const other = new RecipeState();
    other.load(r.recipe);
    expect(other.recipe).toEqual(r.recipe);
    r.setAutoOctaves(false);
    r.setFade(0);
    expect(r.recipe.version).toBe(1);
    expect(r.recipe).not.toHaveProperty('fade');
  });
});
