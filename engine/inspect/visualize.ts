// Feature visualization (Lucid's render loop): images parameterised in a decorrelated Fourier space,
// randomly transformed each step, pushed by Adam up the objective. The model supplies d(objective)/d(input);
// tfjs autodiff carries it back through the transforms and the parameterisation (exact chain rule).
import * as tf from '@tensorflow/tfjs-core';
import type { DreamModel } from '../shared/model.ts';
import { scale, sum, type Objective } from '../objectives/objective.ts';
import { diversity } from '../objectives/diversity.ts';
import { FeatureRecipeError } from './recipe.ts';
import { fourierImage, pixelImage, seedFrom, type ImageParam } from '../params/index.ts';
import { transformsFromSpecs } from '../transforms/index.ts';
import { ImageTooSmallError } from '../shared/errors.ts';
import { fromModelRange } from '../render/image.ts';
import type { RgbImage } from '../shared/image.ts';
import { minimumInputSize } from '../render/minimumSize.ts';
import { seededRandom } from '../shared/random.ts';
import { featureRecipe, type FeatureRecipe } from './recipe.ts';
import { checkTargets, targetKey, targetObjective, type FeatureTarget } from './targets.ts';
import { FeatureUnits } from './featureUnits.ts';
import type { TileGradientSource } from '../render/tiles.ts';

export interface FeatureProgress {
  /** Steps of the current render, and over the whole request (several renders for a channel sheet). */
  step: number;
  steps: number;
  done: number;
  total: number;
  value: number;
  elapsedMs: number;
  etaMs: number | null;
  /** Targets of the current render, in batch order. */
  targets: FeatureTarget[];
  /** The images as they stand now (computed on demand; only until the render ends). */
  preview(): RgbImage[];
}

export interface VisualizeOptions {
  signal?: AbortSignal;
  /** Worker threads for requests whose images have separate targets (parallel/poolKeeper.ts forUnits). */
  pool?: TileGradientSource;
  onProgress?: (p: FeatureProgress) => void;
}

/** The seed of one target's starting noise: independent of which other targets share its batch. */
export function targetSeed(recipe: FeatureRecipe, target: FeatureTarget, variant = 0): number {
  return seedFrom(recipe.seed, targetKey(target), variant);
}

function makeParam(model: DreamModel, recipe: FeatureRecipe, seeds: number[]): ImageParam {
  const options = { batch: seeds.length, height: recipe.size, width: recipe.size, range: model.inputRange, decorrelate: recipe.decorrelate, seeds };
  return recipe.param === 'fourier' ? fourierImage(options) : pixelImage(options);
}

/** The param's current images as 0..255 pictures. */
function snapshot(param: ImageParam, range: readonly [number, number]): RgbImage[] {
  const x = param.image();
  const [b, h, w] = x.shape;
  const all = fromModelRange(x, range).rgb;
  x.dispose();
  const per = h * w * 3;
  return Array.from({ length: b }, (_, i) => ({ width: w, height: h, rgb: all.slice(i * per, (i + 1) * per) }));
}

export interface RenderRequest {
  objective: Objective;
  /** One start seed per image in the batch. */
  seeds: number[];
  targets: FeatureTarget[];
  /**
   * Each image's objective is its own target's alone (`objective` is then only their sum): gradients
   * go image by image (featureUnits.ts), in `options.pool` when given, with the same bits either way.
   */
  separate?: boolean;
  /** For progress over several renders: steps done before this one, and in all. */
  doneBefore?: number;
  total?: number;
  startedAt?: number;
}

/** The loop itself, for any composed objective over a batch of `seeds.length` images. */
export async function renderFeatures(model: DreamModel, request: RenderRequest, fullRecipe: FeatureRecipe, options: VisualizeOptions = {}): Promise<RgbImage[]> {
  const recipe = featureRecipe(fullRecipe);
  const { objective, seeds } = request;
  if (seeds.length === 0) throw new RangeError('renderFeatures needs at least one seed (one per image).');
  const transform = transformsFromSpecs(recipe.transforms, (model.inputRange[0] + model.inputRange[1]) / 2);
  const smallest = Math.min(...transform.outputSize(recipe.size, recipe.size).min);
  const needed = minimumInputSize(model, objective.layers);
  if (smallest < needed) {
    throw new ImageTooSmallError(`A ${recipe.size}px visualization reaches the model at ${smallest}px after its transforms; layer ${objective.layers.join(', ')} needs ${needed}px. Use a larger size.`);
  }
  const random = seededRandom(recipe.seed);
  const started = request.startedAt ?? performance.now();
  const total = request.total ?? recipe.steps;
  const param = makeParam(model, recipe, seeds);
  const optimizer = tf.train.adam(recipe.learningRate);
  const units = request.separate ? new FeatureUnits(model, request.targets, options.pool) : null;
  let finished = false;
  const preview = (): RgbImage[] => {
    if (finished) throw new Error('preview() is only available while the render runs; use the returned images.');
    return snapshot(param, model.inputRange);
  };
  try {
    for (let step = 0; step < recipe.steps; step++) {
      // A macrotask turn per step, so hosts' signals, timers and IPC run between steps.
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      const applied = transform.sample(random);
      const x = tf.tidy(() => applied(param.image()));
      let result;
      try {
        result = units ? await units.valueAndGradient(x) : model.valueAndGradient(x, objective.layers, objective.fn);
      } finally {
        x.dispose();
      }
      const { gradient, value } = result;
      try {
        // vjp: d/dvars of <transform(image(vars)), dObjective/dx>; negated, as Adam minimises.
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.neg(tf.sum(tf.mul(applied(param.image()), gradient))) as tf.Scalar, param.variables);
          optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        });
      } finally {
        gradient.dispose();
      }
      const done = (request.doneBefore ?? 0) + step + 1;
      const elapsedMs = performance.now() - started;
      options.onProgress?.({
        step,
        steps: recipe.steps,
        done,
        total,
        value,
        elapsedMs,
        etaMs: (elapsedMs / done) * (total - done),
        targets: request.targets,
        preview,
      });
    }
    return snapshot(param, model.inputRange);
  } finally {
    finished = true;
    optimizer.dispose();
    param.dispose();
  }
}

/** One image that maximises a layer, a channel or a neuron. */
export async function visualize(model: DreamModel, target: FeatureTarget, recipe: Partial<FeatureRecipe> = {}, options: VisualizeOptions = {}): Promise<RgbImage> {
  const r = featureRecipe(recipe);
  checkTargets(model, [target]);
  const [image] = await renderFeatures(model, { objective: targetObjective(model, target), seeds: [targetSeed(r, target)], targets: [target], separate: true }, r, options);
  return image!;
}

/** Several different images for one target: the target minus `weight` × diversity (Lucid uses 1e2 on GoogLeNet). */
export async function visualizeDiverse(model: DreamModel, target: FeatureTarget, count: number, weight: number, recipe: Partial<FeatureRecipe> = {}, options: VisualizeOptions = {}): Promise<RgbImage[]> {
  const r = featureRecipe(recipe);
  checkTargets(model, [target]);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new FeatureRecipeError(`count must be a whole number from 1 to 64, got ${count}.`);
  const objective = sum(targetObjective(model, target), scale(diversity(target.layer), -weight));
  const seeds = Array.from({ length: count }, (_, i) => targetSeed(r, target, i));
  return renderFeatures(model, { objective, seeds, targets: seeds.map(() => target) }, r, options);
}
