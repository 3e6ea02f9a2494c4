// Renders many targets (a layer's channels for a contact sheet or the app's grid), several per batch,
// taking what the disk cache already holds and storing each new image as soon as its batch finishes.
import type { DreamModel } from '../shared/model.ts';
import { sum } from '../objectives/objective.ts';
import type { RgbImage } from '../shared/image.ts';
import type { FeatureCache } from './cache.ts';
import type { PoolKeeper } from '../parallel/poolKeeper.ts';
import { featureRecipe, type FeatureRecipe } from './recipe.ts';
import { checkTargets, targetObjective, type FeatureTarget } from './targets.ts';
import { renderFeatures, targetSeed, type VisualizeOptions } from './visualize.ts';

export interface ManyOptions extends VisualizeOptions {
  /**
   * Images optimised together (default 4; with a pool, best a multiple of its workers): their gradients
   * go image by image, across `pool`'s workers when given; results depend on neither.
   */
  batchSize?: number;
  /** Worker threads by the engine's layout rule for a batch's images, started only when something is left to render. */
  pools?: Pick<PoolKeeper, 'forUnits'>;
  /** Where finished images are looked up and stored; null or absent renders everything. */
  cache?: FeatureCache | null;
  /** Called as each image becomes available, cached ones first. */
  onImage?: (target: FeatureTarget, image: RgbImage, fromCache: boolean) => void;
}

export interface ManyResult {
  images: RgbImage[];
  /** Which of them came from the cache. */
  cached: boolean[];
}

export async function visualizeMany(model: DreamModel, targets: readonly FeatureTarget[], recipe: Partial<FeatureRecipe> = {}, options: ManyOptions = {}): Promise<ManyResult> {
  const r = featureRecipe(recipe);
  checkTargets(model, targets);
  const batchSize = options.batchSize ?? 4;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a whole number >= 1, got ${batchSize}.`);
  const images: Array<RgbImage | undefined> = new Array(targets.length);
  const cached = targets.map(() => false);
  for (const [i, t] of targets.entries()) {
    const hit = (await options.cache?.get(model.id, t, r)) ?? null;
    if (hit) {
      images[i] = hit;
      cached[i] = true;
      options.onImage?.(t, hit, true);
    }
  }
  const todo = targets.map((_, i) => i).filter((i) => !images[i]);
  const total = Math.ceil(todo.length / batchSize) * r.steps; // progress counts batch steps
  const startedAt = performance.now();
  const pool = options.pool ?? (todo.length > 0 ? await options.pools?.forUnits(Math.min(batchSize, todo.length)) : undefined);
  for (let start = 0; start < todo.length; start += batchSize) {
    const chunk = todo.slice(start, start + batchSize);
    const chunkTargets = chunk.map((i) => targets[i]!);
    const objective = sum(...chunkTargets.map((t, k) => targetObjective(model, t, k)));
    const rendered = await renderFeatures(
      model,
      { objective, seeds: chunkTargets.map((t) => targetSeed(r, t)), targets: chunkTargets, separate: true, doneBefore: (start / batchSize) * r.steps, total, startedAt },
      r,
      pool ? { ...options, pool } : options,
    );
    for (const [k, i] of chunk.entries()) {
      // Stored PNGs are 8-bit, so hand out the rounded pixels either way: a hit equals the first result.
      const image = quantize(rendered[k]!);
      await options.cache?.put(model.id, targets[i]!, r, image);
      images[i] = image;
      options.onImage?.(targets[i]!, image, false);
    }
  }
  return { images: images as RgbImage[], cached };
}

export function quantize(image: RgbImage): RgbImage {
  return { ...image, rgb: image.rgb.map((v) => Math.min(255, Math.max(0, Math.round(v)))) };
}
