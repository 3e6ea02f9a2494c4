// Per-term masks: targets follow the recipe's terms; each term paints its own mask.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../../engine/recipe/recipe.ts';
import { MaskState } from './mask.svelte.ts';
import { MaskBrushes, WHOLE, maskTargets } from './maskBrushes.svelte.ts';

describe('MaskBrushes', () => {
  it('lists layer, channel and class terms, and keeps one mask per term apart from the whole one', () => {
    const recipe = { ...DEFAULT_RECIPE, channels: [{ layer: 'mixed4', index: 97, weight: 1 }], classes: [{ name: 'jellyfish', weight: 1 }] };
    expect(maskTargets(recipe).map((t) => [t.key, t.list, t.index])).toEqual([
      ['layer:mixed3', 'layers', 0],
      ['layer:mixed5', 'layers', 1],
      ['channel:mixed4:97', 'channels', 0],
      ['class:jellyfish', 'classes', 0],
    ]);
    const whole = new MaskState();
    const b = new MaskBrushes(whole);
    expect(b.current).toBe(whole);
    b.select('layer:mixed5');
    const term = b.current;
    expect(term).not.toBe(whole);
    expect(term.enabled).toBe(true);
    expect(b.painted('layer:mixed5')).toBeNull(); // nothing painted yet
    term.begin(0.5, 0.5);
    term.end();
    expect(b.painted('layer:mixed5')).toBe(term);
    b.select(WHOLE);
    expect(b.current).toBe(whole);
    b.select('layer:mixed5');
    expect(b.current).toBe(term); // kept while switching
    b.clearTerms();
    expect(b.painted('layer:mixed5')).toBeNull();
    expect(b.target).toBe(WHOLE);
  });
});
