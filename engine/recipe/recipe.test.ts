// Recipes: validation with clear errors, flag parsing, and the round trip through a PNG's iTXt chunk.
import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RECIPE, parseChannelTerm, parseLayerList, parseRecipe, RecipeError } from './recipe.ts';
import { metadataText, readDreamMetadata, readRecipeFromPng } from '../render/metadata.ts';
import { encodePng } from '../io/image.ts';

describe('parseRecipe', () => {
  it('fills defaults and keeps what is given', () => {
    expect(parseRecipe({ version: 1, steps: 3 })).toEqual({ ...DEFAULT_RECIPE, steps: 3 });
  });

  it.each([
    [{ version: 3 }, /version 3 is not supported/],
    [{ version: 1, steps: 'ten' }, /"steps" must be a number/],
    [{ version: 1, steps: 2.5 }, /"steps" must be a whole number/],
    [{ version: 1, octaveScale: 9 }, /"octaveScale" must be between 1 and 4/],
    [{ version: 1, colour: 'blue' }, /unknown field "colour"/],
    [{ version: 1, layers: [{ name: 'mixed3', weight: 1, extra: 1 }] }, /layers\[0\] has unknown field "extra"/],
    [{ version: 1, layers: [], channels: [] }, /at least one layer or channel/],
    [{ version: 1, channels: [{ layer: 'mixed4', index: -1 }] }, /index.*between 0/],
    [[1, 2], /must be a JSON object/],
  ])('refuses %j', (input, message) => {
    expect(() => parseRecipe(input, 'r.json')).toThrow(RecipeError);
    expect(() => parseRecipe(input, 'r.json')).toThrow(message);
  });

  it('parses layer lists and channel terms from flags', () => {
    expect(parseLayerList('mixed3, mixed5:0.5')).toEqual([
      { name: 'mixed3', weight: 1 },
      { name: 'mixed5', weight: 0.5 },
    ]);
    expect(parseChannelTerm('mixed4:97:-0.5')).toEqual({ layer: 'mixed4', index: 97, weight: -0.5 });
    expect(() => parseChannelTerm('mixed4')).toThrow(/layer:index/);
    expect(() => parseLayerList('mixed3:lots')).toThrow(/name:weight/);
  });
});

describe('recipe in PNG metadata', () => {
  it('round-trips through the iTXt chunk, and says so when a PNG carries none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reverie-recipe-'));
    const recipe = { ...DEFAULT_RECIPE, seed: 42, channels: [{ layer: 'mixed4', index: 3, weight: -1 }] };
    const img = { width: 4, height: 3, rgb: new Float32Array(36).fill(100), alpha: null };
    const file = join(dir, 'd.png');
    await writeFile(file, await encodePng(img, metadataText({ app: 'reverie', appVersion: '0.1.0', backend: 'wasm', input: 'ünï cödé.jpg', createdAt: '2026-01-01T00:00:00Z', recipe })));
    expect(await readRecipeFromPng(file)).toEqual(recipe);
    expect((await readDreamMetadata(file)).input).toBe('ünï cödé.jpg');
    const plain = join(dir, 'plain.png');
    await writeFile(plain, await encodePng(img));
    await expect(readRecipeFromPng(plain)).rejects.toThrow(/carries no Reverie recipe/);
  });
});
