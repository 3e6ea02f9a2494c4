// Per model: the layers worth dreaming on, in the order pickers show them, with a word on what each
// brings out, and a few default recipes that give a good result at the first click.
import { DEFAULT_RECIPE, RecipeError, type Recipe } from '../recipe/recipe.ts';

export interface CuratedLayer {
  name: string;
  /** What dreaming on it tends to bring out. */
  note: string;
}

/** Recipe fields a curated recipe sets; the rest come from DEFAULT_RECIPE. */
export type RecipeOverrides = Partial<Pick<Recipe, 'layers' | 'channels' | 'classes' | 'steps' | 'stepSize' | 'octaves' | 'octaveScale' | 'jitter'>>;

export interface CuratedRecipe {
  name: string;
  description: string;
  recipe: RecipeOverrides;
}

export interface CuratedModel {
  layers: readonly CuratedLayer[];
  /** The first is the model's default. */
  recipes: readonly CuratedRecipe[];
}

const layer = (name: string, note: string): CuratedLayer => ({ name, note });
const terms = (...names: string[]) => names.map((name) => ({ name, weight: 1 }));

const CURATED: Record<string, CuratedModel> = {
  inception_v3: {
    layers: [
      layer('mixed0', 'edges and fine strokes'),
      layer('mixed1', 'strokes and small textures'),
      layer('mixed2', 'textures, scales, weaves'),
      layer('mixed3', 'patterns and swirls'),
      layer('mixed4', 'patterns with eyes and fur'),
      layer('mixed5', 'eyes, snouts, feathers (last pure-ImageNet block)'),
      layer('mixed6', 'object parts (fine-tuned by nsfwjs)'),
      layer('mixed7', 'object parts (fine-tuned by nsfwjs)'),
      layer('mixed8', 'large shapes (fine-tuned by nsfwjs)'),
      layer('mixed9', 'large shapes (fine-tuned by nsfwjs)'),
      layer('mixed10', 'whole-image shapes (fine-tuned by nsfwjs)'),
    ],
    recipes: [
      { name: 'classic', description: 'mixed3 + mixed5: the deepdream notebook look', recipe: { layers: terms('mixed3', 'mixed5') } },
      { name: 'textures', description: 'mixed1 + mixed2: fine textures that keep the photo readable', recipe: { layers: terms('mixed1', 'mixed2'), stepSize: 1.2 } },
      { name: 'creatures', description: 'mixed4 + mixed5: eyes and animal parts everywhere', recipe: { layers: terms('mixed4', 'mixed5'), octaves: 5 } },
    ],
  },
  // Rectified expansions (expand_relu, ReLU6) dream far more strongly than the linear residual sums.
  mobilenet_v2: {
    layers: [
      layer('block_2_expand_relu', 'fine stripes and dots'),
      layer('block_3_expand_relu', 'stripes and small textures'),
      layer('block_5_expand_relu', 'textures and weaves'),
      layer('block_6_expand_relu', 'tiles and patterns'),
      layer('block_8_expand_relu', 'patterns and cells'),
      layer('block_10_expand_relu', 'patterns with eye-like spots (last ImageNet block)'),
      layer('block_9_add', 'softer patterns (a residual sum, no ReLU)'),
      layer('block_12_expand_relu', 'object parts (fine-tuned by nsfwjs)'),
      layer('block_14_expand_relu', 'large shapes (fine-tuned by nsfwjs)'),
      layer('out_relu', 'whole-image shapes (fine-tuned by nsfwjs)'),
    ],
    recipes: [
      { name: 'classic', description: 'block_6_expand_relu + block_10_expand_relu: patterns with eye-like spots', recipe: { layers: terms('block_6_expand_relu', 'block_10_expand_relu') } },
      { name: 'textures', description: 'block_3_expand_relu + block_5_expand_relu: fine textures', recipe: { layers: terms('block_3_expand_relu', 'block_5_expand_relu') } },
    ],
  },
  // Keras MobileNet (v1) from tfjs-models: every pointwise conv is followed by a ReLU6 named conv_pw_N_relu.
  mobilenet_v1_100: {
    layers: [
      layer('conv_pw_3_relu', 'fine textures'),
      layer('conv_pw_5_relu', 'textures and weaves'),
      layer('conv_pw_7_relu', 'patterns'),
      layer('conv_pw_9_relu', 'patterns with eyes'),
      layer('conv_pw_11_relu', 'object parts'),
      layer('conv_pw_13_relu', 'large shapes'),
    ],
    recipes: [
      { name: 'classic', description: 'conv_pw_7_relu + conv_pw_9_relu', recipe: { layers: terms('conv_pw_7_relu', 'conv_pw_9_relu') } },
      { name: 'jellyfish', description: 'the ImageNet class "jelly fish" with a little conv_pw_7_relu texture', recipe: { layers: [{ name: 'conv_pw_7_relu', weight: 0.2 }], classes: [{ name: 'jellyfish', weight: 1 }] } },
    ],
  },
};
CURATED['mobilenet_v1_025'] = CURATED['mobilenet_v1_100']!;

/** The curated list for a model id (an embedded name or catalogue name), if there is one. */
export function curatedModel(id: string): CuratedModel | undefined {
  return Object.hasOwn(CURATED, id) ? CURATED[id] : undefined;
}

/** Curated layer names, in picker order; [] for models without a list. */
export function curatedLayerNames(id: string): string[] {
  return curatedModel(id)?.layers.map((l) => l.name) ?? [];
}

/**
 * A full recipe for the model: the named curated recipe (default: its first), else DEFAULT_RECIPE's
 * settings. Throws RangeError for a recipe name the model does not have.
 */
export function curatedRecipe(id: string, name?: string): Recipe {
  const recipes = curatedModel(id)?.recipes ?? [];
  const chosen = name === undefined ? recipes[0] : recipes.find((r) => r.name === name);
  if (name !== undefined && !chosen) {
    throw new RecipeError(`Model ${id} has no curated recipe "${name}"${recipes.length ? `; it has: ${recipes.map((r) => r.name).join(', ')}` : ''}.`);
  }
  return { ...DEFAULT_RECIPE, channels: [], classes: [], ...chosen?.recipe, model: id };
}
