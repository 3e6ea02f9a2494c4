// Which mask the brush paints: the whole dream's, or one objective term's (this layer in the sky,
// that channel on the ground). Each term's mask is its own MaskState, kept by the term's key.
import type { Recipe } from '../../contract/types.ts';
import { MaskState } from './mask.svelte.ts';

export type TermList = 'layers' | 'channels' | 'classes';

/** An objective term a mask can belong to. */
export interface MaskTarget {
  key: string;
  label: string;
  list: TermList;
  index: number;
}

export const WHOLE = 'all';

/** The recipe's terms as mask targets, in recipe order. */
export function maskTargets(recipe: Pick<Recipe, 'layers' | 'channels' | 'classes'>): MaskTarget[] {
  return [
    ...recipe.layers.map((l, index) => ({ key: `layer:${l.name}`, label: l.name, list: 'layers' as const, index })),
    ...recipe.channels.map((c, index) => ({ key: `channel:${c.layer}:${c.index}`, label: `${c.layer} · channel ${c.index}`, list: 'channels' as const, index })),
    ...(recipe.classes ?? []).map((c, index) => ({ key: `class:${c.name}`, label: `class ${c.name}`, list: 'classes' as const, index })),
  ];
}

export class MaskBrushes {
  /** WHOLE, or a term's key. */
  target = $state(WHOLE);
  private terms = $state<Record<string, MaskState>>({});

  constructor(readonly whole: MaskState) {}

  /** Paints on `key`'s mask from now on (a term's mask is made, switched on, the first time). */
  select(key: string): void {
    if (key !== WHOLE && !this.terms[key]) {
      const mask = new MaskState();
      mask.enabled = true;
      this.terms = { ...this.terms, [key]: mask };
    }
    this.target = key;
  }

  get current(): MaskState {
    return (this.target !== WHOLE && this.terms[this.target]) || this.whole;
  }

  /** The term's painted mask when it would be used (see MaskState.active). */
  painted(key: string): MaskState | null {
    const m = this.terms[key];
    return m?.active ? m : null;
  }

  /** Forgets every term's mask (a new recipe was loaded). */
  clearTerms(): void {
    this.terms = {};
    this.target = WHOLE;
  }
}
