// Recipes with masks or a guide: terms that share a mask are dreamed together, and each group's
// gradient is weighted by its own mask before the step, so "this layer in the sky, that channel on the
// ground" costs one gradient pass per distinct mask. A recipe with neither takes dream.ts's plain path.
import type { DreamModel } from '../shared/model.ts';
import { classObjectiveFactory } from '../model/classes.ts';
import { channelMean, scale, sum, type Objective } from '../objectives/objective.ts';
import { guideFeatures, guideMatch, type GuideFeatures } from '../objectives/guide.ts';
import { recipeObjective, RecipeError, type AssetHash, type Recipe } from '../recipe/recipe.ts';
import type { RgbImage } from '../shared/image.ts';
import { toModelRange } from './image.ts';
import { resizeMask, type Mask } from './mask.ts';
import type { TileGradientSource, TileRunner } from './tiles.ts';

/** Masks and guide images a recipe names by hash (engine/io/assets.ts reads them from files and PNGs). */
export interface DreamAssets {
  masks?: ReadonlyMap<AssetHash, Mask>;
  guides?: ReadonlyMap<AssetHash, RgbImage>;
}

export interface TermGroup {
  objective: Objective;
  mask: Mask | null;
  runner?: TileRunner;
}

export interface MaskedPlan {
  groups: TermGroup[];
  /** The whole recipe's mask, if any. */
  mask: Mask | null;
  layers: string[];
  dispose(): void;
}

export function usesMasksOrGuide(recipe: Recipe): boolean {
  const terms = [...recipe.layers, ...recipe.channels, ...(recipe.classes ?? [])];
  return recipe.mask !== undefined || recipe.guide !== undefined || terms.some((t) => t.mask !== undefined);
}

function maskFor(assets: DreamAssets, hash: AssetHash, image: { width: number; height: number }): Mask {
  const m = assets.masks?.get(hash);
  if (!m) throw new RecipeError(`The recipe names mask ${hash}, which was not given (pass the mask file with --mask, or the PNG that carries it with --recipe-from).`);
  // A mask is stretched to the image; a different shape would put the painted areas elsewhere.
  if (Math.abs(m.width / m.height / (image.width / image.height) - 1) > 0.02) {
    throw new RecipeError(`The mask is ${m.width}x${m.height} but the image is ${image.width}x${image.height}: paint the mask at the image's shape (any size).`);
  }
  return m;
}

/** The guide's features at each layer term's layer, computed once per dream (caller disposes). */
function guideFeaturesFor(model: DreamModel, recipe: Recipe, assets: DreamAssets): Map<string, GuideFeatures> {
  const image = assets.guides?.get(recipe.guide!);
  if (!image) throw new RecipeError(`The recipe names guide image ${recipe.guide}, which was not given (pass it with --guide, or the PNG that carries it with --recipe-from).`);
  const layers = [...new Set(recipe.layers.map((l) => l.name))];
  const x = toModelRange(image, model.inputRange);
  try {
    const acts = model.activations(x, layers);
    const out = new Map(layers.map((l) => [l, guideFeatures(acts[l]!)]));
    for (const a of Object.values(acts)) a.dispose();
    return out;
  } finally {
    x.dispose();
  }
}

/** One objective and mask per distinct term mask; guided layer terms match the guide's features. */
export function maskedPlan(model: DreamModel, recipe: Recipe, image: { width: number; height: number }, assets: DreamAssets, pool?: TileGradientSource): MaskedPlan {
  const features = recipe.guide !== undefined ? guideFeaturesFor(model, recipe, assets) : new Map<string, GuideFeatures>();
  try {
    return planGroups(model, recipe, image, assets, features, pool);
  } catch (err) {
    features.forEach((f) => f.dispose());
    throw err;
  }
}

function planGroups(model: DreamModel, recipe: Recipe, image: { width: number; height: number }, assets: DreamAssets, features: Map<string, GuideFeatures>, pool?: TileGradientSource): MaskedPlan {
  const classes = classObjectiveFactory(model);
  const keys = [...new Set([...recipe.layers, ...recipe.channels, ...(recipe.classes ?? [])].map((t) => t.mask))];
  const groups = keys.map((key): TermGroup => {
    const part: Recipe = {
      ...recipe,
      layers: recipe.layers.filter((t) => t.mask === key),
      channels: recipe.channels.filter((t) => t.mask === key),
      classes: (recipe.classes ?? []).filter((t) => t.mask === key),
    };
    const objective = recipe.guide === undefined
      ? recipeObjective(part, classes)
      : sum(
          ...part.layers.map((l) => scale(guideMatch(l.name, features.get(l.name)!), l.weight)),
          ...part.channels.map((c) => scale(channelMean(c.layer, c.index), c.weight)),
          ...(part.classes ?? []).map((c) => classes(c.name, c.weight)),
        );
    // Guide features cannot cross threads; guided groups dream in this thread.
    const runner = pool && recipe.guide === undefined ? { pool, terms: { layers: part.layers, channels: part.channels, classes: part.classes ?? [] } } : undefined;
    return { objective, mask: key === undefined ? null : maskFor(assets, key, image), ...(runner ? { runner } : {}) };
  });
  return {
    groups,
    mask: recipe.mask !== undefined ? maskFor(assets, recipe.mask, image) : null,
    layers: [...new Set(groups.flatMap((g) => g.objective.layers))],
    dispose: () => features.forEach((f) => f.dispose()),
  };
}

/** Group masks and the area that dreams (recipe mask × union of term masks), at one octave's size. */
export function octaveMasks(plan: MaskedPlan, height: number, width: number): { groups: Array<Float32Array | null>; whole: Float32Array | null; coverage: Float32Array | null } {
  const groups = plan.groups.map((g) => (g.mask ? resizeMask(g.mask, height, width) : null));
  let coverage: Float32Array | null = null;
  if (groups.every((m) => m !== null)) {
    coverage = new Float32Array(height * width);
    for (const m of groups) for (let i = 0; i < m!.length; i++) coverage[i] = Math.max(coverage[i]!, m![i]!);
  }
  const whole = plan.mask ? resizeMask(plan.mask, height, width) : null;
  if (whole) {
    const union = coverage;
    coverage = whole.slice();
    if (union) for (let i = 0; i < whole.length; i++) coverage[i] = coverage[i]! * union[i]!;
  }
  return { groups, whole, coverage };
}

