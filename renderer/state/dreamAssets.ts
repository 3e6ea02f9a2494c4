// A recipe's masks and guide as the Dream panel holds them: which of a loaded PNG's images go back
// in which slot, and which imported images a dream request must bring for per-term masks.
import type { AssetInput, InputImage, LoadedAsset, Recipe } from '../../contract/types.ts';

/** The masks a recipe's layer, channel and class terms name. */
export function termMaskHashes(r: Recipe): string[] {
  return [...r.layers, ...r.channels, ...(r.classes ?? [])].flatMap((t) => (t.mask ? [t.mask] : []));
}

export interface RestoredAssets {
  guide: InputImage | null;
  /** The recipe-wide mask, as the base of the mask brush. */
  mask: InputImage | null;
  /** Masks by content hash, for the terms that name them. */
  termMasks: Map<string, InputImage>;
  /** The recipe names an image the PNG did not carry. */
  missing: boolean;
}

export function restoredAssets(recipe: Recipe, assets: readonly LoadedAsset[]): RestoredAssets {
  const find = (hash: string | undefined) => (hash ? assets.find((a) => a.hash === hash) : undefined);
  const named = [recipe.mask, recipe.guide, ...termMaskHashes(recipe)].filter((h): h is string => h !== undefined);
  return {
    guide: find(recipe.guide)?.image ?? null,
    mask: find(recipe.mask)?.image ?? null,
    termMasks: new Map(assets.filter((a) => a.kind === 'mask').map((a) => [a.hash, a.image])),
    missing: named.some((h) => !find(h)),
  };
}

/** The imported images a dream must bring for the masks its terms name (those the panel has). */
export function termMaskInputs(recipe: Recipe, termMasks: ReadonlyMap<string, InputImage>): AssetInput[] {
  return termMaskHashes(recipe).flatMap((h) => {
    const image = termMasks.get(h);
    return image ? [{ kind: 'mask' as const, inputId: image.id }] : [];
  });
}

/** The recipe with one term's mask taken off (a freshly painted one replaces it). */
export function withoutTermMask(recipe: Recipe, list: 'layers' | 'channels' | 'classes', index: number): Recipe {
  const terms = (recipe[list] ?? []) as Array<{ mask?: string }>;
  return { ...recipe, [list]: terms.map((t, j) => (j === index ? (({ mask: _mask, ...rest }) => rest)(t) : t)) };
}
