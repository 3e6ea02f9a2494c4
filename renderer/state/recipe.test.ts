// The recipe editor: defaults equal the engine's, presets and every UI range are recipes the
// engine accepts, and edits stay in range.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, parseRecipe } from '../../engine/recipe/recipe.ts';
import { DEFAULT_PRESET, PRESETS, matchPreset, savedPresets } from '../lib/presets.ts';
import { FIELDS, clampField } from '../lib/recipeFields.ts';
import { RecipeState } from './recipe.svelte.ts';

describe('presets and fields against the engine', () => {
  it('starts from the engine default recipe', () => {
    expect(DEFAULT_PRESET.recipe).toEqual(DEFAULT_RECIPE);
    expect(new RecipeState().recipe).toEqual(DEFAULT_RECIPE);
  });

  it('offers only presets the engine accepts, each distinct', () => {
    for (const p of PRESETS) expect(parseRecipe(p.recipe, p.id)).toEqual(p.recipe);
    expect(new Set(PRESETS.map((p) => JSON.stringify({ ...p.recipe, seed: 0 }))).size).toBe(PRESETS.length);
  });

  it('keeps every field range inside what the engine accepts', () => {
    for (const spec of Object.values(FIELDS)) {
      for (const value of [spec.min, spec.max]) expect(() => parseRecipe({ ...DEFAULT_RECIPE, [spec.key]: value })).not.toThrow();
    }
    expect(clampField(FIELDS.steps, 1e9)).toBe(100);
    expect(clampField(FIELDS.steps, 2.6)).toBe(3);
    expect(clampField(FIELDS.stepSize, 1.234)).toBe(1.2);
    expect(clampField(FIELDS.octaveScale, 1.333)).toBe(1.33);
    expect(clampField(FIELDS.jitter, Number.NaN)).toBe(0);
  });
});

describe('RecipeState', () => {
  it('offers the user\'s saved presets for its model, whole in Dream and as a look in Zoom and Paint', () => {
    const mine = { name: 'Sky eyes', recipe: { ...DEFAULT_RECIPE, layers: [{ name: 'mixed6', weight: 0.7 }], steps: 30 } };
    const other = { name: 'Mobile', recipe: { ...DEFAULT_RECIPE, model: 'mobilenet_v2' } };
    const r = new RecipeState();
    r.saved = () => savedPresets(r.model, [mine, other]);
    expect(r.offered.map((p) => p.id)).toEqual([...PRESETS.map((p) => p.id), 'saved:Sky eyes']);
    r.applyPreset('saved:Sky eyes');
    expect(r.preset?.name).toBe('Sky eyes');
    expect(r.steps).toBe(30);

    const zoom = new RecipeState({ ...DEFAULT_RECIPE, steps: 5, octaves: 1 });
    zoom.saved = r.saved;
    zoom.applyPreset('saved:Sky eyes', true);
    expect(zoom.layers).toEqual([{ name: 'mixed6', weight: 0.7 }]);
    expect([zoom.steps, zoom.octaves]).toEqual([5, 1]);
    expect(zoom.preset).toBeNull();
    expect(zoom.look?.name).toBe('Sky eyes');
  });

  it('applies presets keeping the seed, and knows when it matches one', () => {
    const r = new RecipeState();
    r.seed = 42;
    r.applyPreset('textures');
    expect(r.preset?.id).toBe('textures');
    expect(r.seed).toBe(42);
    expect(r.layers.map((l) => l.name)).toEqual(['mixed1', 'mixed2']);
    r.set('steps', 13);
    expect(r.preset).toBeNull();
    expect(matchPreset({ ...r.recipe, steps: 12 })?.id).toBe('textures');
  });

  it('toggles layers in model order and bounds weights', () => {
    const r = new RecipeState();
    r.toggleLayer('mixed10');
    r.toggleLayer('mixed1');
    expect(r.layers.map((l) => l.name)).toEqual(['mixed1', 'mixed3', 'mixed5', 'mixed10']);
    r.toggleLayer('mixed3');
    expect(r.isLayerOn('mixed3')).toBe(false);
    r.setWeight('mixed5', 9);
    expect(r.weightOf('mixed5')).toBe(4);
    r.setWeight('mixed5', -0.333);
    expect(r.weightOf('mixed5')).toBe(-0.33);
    expect(parseRecipe(r.recipe)).toEqual(r.recipe);
  });

  it('says what stops a recipe from running', () => {
    const r = new RecipeState();
    for (const l of [...r.layers]) r.toggleLayer(l.name);
    expect(r.problems()).toEqual(['Pick at least one layer to dream on.']);
    r.addChannel('mixed4', 800);
    expect(r.problems(new Map([['mixed4', 768]]))).toEqual(['mixed4 has channels 0–767; 800 is out of range.']);
    r.updateChannel(0, { index: 97.4, weight: -1 });
    expect(r.channels).toEqual([{ layer: 'mixed4', index: 97, weight: -1 }]);
    expect(r.problems(new Map([['mixed4', 768]]))).toEqual([]);
    expect(parseRecipe(r.recipe).channels).toEqual([{ layer: 'mixed4', index: 97, weight: -1 }]);
    r.removeChannel(0);
    expect(r.channels).toEqual([]);
  });

  it('loads a recipe without sharing its arrays, and draws seeds in range', () => {
    const source = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 0.5 }] };
    const r = new RecipeState(DEFAULT_RECIPE, () => 0.999999);
    r.load(source);
    r.setWeight('mixed2', 1);
    expect(source.layers[0]!.weight).toBe(0.5);
    r.randomizeSeed();
    expect(r.seed).toBeGreaterThan(4_294_960_000);
    expect(r.seed).toBeLessThanOrEqual(2 ** 32 - 1);
  });
});

describe('class terms', () => {
  it('keeps class terms a loaded recipe carries, so it round-trips through the editor', () => {
    const withClass = parseRecipe({ ...DEFAULT_RECIPE, layers: [], classes: [{ name: 'jellyfish', weight: 2 }] });
    const r = new RecipeState();
    r.load(withClass);
    expect(r.problems()).toEqual([]);
    expect(r.recipe).toEqual(withClass);
    expect(r.preset).toBeNull();
  });
});
