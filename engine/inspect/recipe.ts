// A feature-visualization recipe: plain JSON, validated, with a canonical form for cache keys.
import { STANDARD_TRANSFORMS, type TransformSpec } from '../transforms/index.ts';
import { ReverieError } from '../shared/errors.ts';

export interface FeatureRecipe {
  version: 1;
  /** Side of the square image in pixels. */
  size: number;
  /** Adam steps. */
  steps: number;
  /** Adam's learning rate (Lucid: 0.05). */
  learningRate: number;
  /** Image parameterisation: Lucid's decorrelated Fourier space, or plain pixels. */
  param: 'fourier' | 'pixel';
  /** Colours in the decorrelated (ImageNet PCA) space. */
  decorrelate: boolean;
  /** Robustness transforms applied before each step (Lucid's standard set by default). */
  transforms: TransformSpec[];
  seed: number;
}

export const DEFAULT_FEATURE_RECIPE: Readonly<FeatureRecipe> = Object.freeze({
  version: 1,
  size: 128,
  steps: 256,
  learningRate: 0.05,
  param: 'fourier',
  decorrelate: true,
  transforms: STANDARD_TRANSFORMS.map((t) => ({ ...t })),
  seed: 0,
});

export class FeatureRecipeError extends ReverieError {
  override name = 'FeatureRecipeError';
}

const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;

/** Fills in defaults and refuses values that cannot work, with a message that says which. */
export function featureRecipe(partial: Partial<FeatureRecipe> = {}): FeatureRecipe {
  const r: FeatureRecipe = { ...DEFAULT_FEATURE_RECIPE, transforms: DEFAULT_FEATURE_RECIPE.transforms.map((t) => ({ ...t })), ...partial };
  if (!positiveInt(r.size) || r.size < 16 || r.size > 4096) throw new FeatureRecipeError(`size must be a whole number of pixels from 16 to 4096, got ${r.size}.`);
  if (!positiveInt(r.steps) || r.steps > 100_000) throw new FeatureRecipeError(`steps must be a whole number from 1 to 100000, got ${r.steps}.`);
  if (!(r.learningRate > 0 && r.learningRate <= 10)) throw new FeatureRecipeError(`learningRate must be in (0, 10], got ${r.learningRate}.`);
  if (r.param !== 'fourier' && r.param !== 'pixel') throw new FeatureRecipeError(`param must be "fourier" or "pixel", got ${String(r.param)}.`);
  if (typeof r.decorrelate !== 'boolean') throw new FeatureRecipeError('decorrelate must be true or false.');
  if (!Number.isInteger(r.seed)) throw new FeatureRecipeError(`seed must be a whole number, got ${r.seed}.`);
  if (!Array.isArray(r.transforms)) throw new FeatureRecipeError('transforms must be a list.');
  if (r.version !== 1) throw new FeatureRecipeError(`Unknown feature recipe version ${String(r.version)}.`);
  return r;
}

/** The recipe as canonical JSON (fixed key order), the input to cache keys. */
export function canonicalRecipe(recipe: FeatureRecipe): string {
  const { version, size, steps, learningRate, param, decorrelate, transforms, seed } = recipe;
  return JSON.stringify({ version, size, steps, learningRate, param, decorrelate, transforms, seed });
}
