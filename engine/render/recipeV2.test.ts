// Recipe version 2: pattern size, fade, masks and guide by content hash; version-1 recipes unchanged.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, parseRecipe, recipeAssets, RECIPE_VERSION } from '../recipe/recipe.ts';

const hash = (c: string) => `sha256:${c.repeat(64)}`;

describe('recipe version 2', () => {
  it('reads a version-1 recipe as it always was: version 1, no new fields', () => {
    const r = parseRecipe({ version: 1, octaves: 5 });
    expect(r).toEqual({ ...DEFAULT_RECIPE, octaves: 5 });
    expect(r.version).toBe(1);
    expect('patternSize' in r || 'fade' in r || 'mask' in r || 'guide' in r).toBe(false);
  });

  it('writes version 2 only when a version-2 field is used, and keeps each field', () => {
    const r = parseRecipe({
      version: 1,
      patternSize: 0.1,
      fade: 25,
      mask: hash('a'),
      guide: hash('b'),
      layers: [{ name: 'mixed3', weight: 1, mask: hash('c') }],
      channels: [{ layer: 'mixed4', index: 2, weight: 1, mask: hash('d') }],
      classes: [{ name: 'jellyfish', weight: 1, mask: hash('c') }],
    });
    expect(r.version).toBe(RECIPE_VERSION);
    expect(r).toMatchObject({ patternSize: 0.1, fade: 25, mask: hash('a'), guide: hash('b') });
    expect(r.layers[0]!.mask).toBe(hash('c'));
    expect(recipeAssets(r).sort()).toEqual([hash('a'), hash('b'), hash('c'), hash('d')]);
    expect(parseRecipe(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(parseRecipe({ version: 2, layers: [{ name: 'mixed3', weight: 1, mask: hash('e') }] }).version).toBe(2);
    expect(parseRecipe({ version: 2 }).version).toBe(1);
  });

  it.each([
    [{ version: 2, patternSize: 0 }, /"patternSize" must be between 0.005 and 1/],
    [{ version: 2, patternSize: '10%' }, /"patternSize" must be a number/],
    [{ version: 2, fade: 101 }, /"fade" must be between 0 and 100/],
    [{ version: 2, mask: 'sky.png' }, /"mask" must be a content hash/],
    [{ version: 2, guide: 'sha256:abc' }, /"guide" must be a content hash/],
    [{ version: 2, layers: [{ name: 'mixed3', mask: 'x' }] }, /layers\[0\]\.mask must be a content hash/],
    [{ version: 3 }, /version 3 is not supported/],
  ])('refuses %j', (input, message) => {
    expect(() => parseRecipe(input, 'r.json')).toThrow(message);
  });
});
