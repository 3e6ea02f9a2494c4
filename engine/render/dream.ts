// Deep dream: gradient ascent on layer activations, octave by octave, with rolled tiles.
// The loop follows the deepdream notebook and the TF2 tutorial; each step yields a progress event.
import { ImageTooSmallError, UnknownLayerError } from '../shared/errors.ts';
import type { DreamModel } from '../shared/model.ts';
import { classObjectiveFactory } from '../model/classes.ts';
import type { Objective } from '../objectives/objective.ts';
import { RecipeError, recipeObjective, type Recipe } from '../recipe/recipe.ts';
import { tiledGradient, type TileGradientSource, type TileRunner } from './tiles.ts';
import { randomShift, seededRandom } from '../shared/random.ts';
import type { RgbImage } from '../shared/image.ts';
import { fromRange, normalisedStep, resizeBilinear, toRange } from './pixels.ts';
import { minimumInputSize } from './minimumSize.ts';
import { octaveCount, octaveSteps } from '../recipe/octavePlan.ts';
import { addMasked, blendTowardInput, maskedStep, multiplyMask } from './mask.ts';
import { maskedPlan, octaveMasks, usesMasksOrGuide, type DreamAssets, type MaskedPlan } from './termGroups.ts';

export interface DreamProgress {
  octave: number;
  octaves: number;
  step: number;
  steps: number;
  /** Steps finished over all octaves, and their total. */
  done: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left, from the work done so far (work grows with octave area). */
  etaMs: number | null;
  value: number;
  width: number;
  height: number;
  /** The image as it stands now, at this octave's size (computed on demand). */
  preview(): RgbImage;
}

export interface DreamOptions {
  signal?: AbortSignal;
  /** Overrides the recipe's layers and channels (e.g. composed objectives from the inspector). */
  objective?: Objective;
  /** Worker threads or a farm for tiled octaves (the recipe's own objective only: it crosses as terms). */
  pool?: TileGradientSource;
  /** The pool is a device (the app window's GPU), not more CPU: it gets single-tile octaves too. */
  poolEveryStep?: boolean;
  /** The masks and guide image the recipe names by hash. */
  assets?: DreamAssets;
}


/** Octave sizes from smallest to the full size, dropping those the model cannot see. */
export function octaveSizes(height: number, width: number, octaves: number, octaveScale: number, minSide: number): Array<[number, number]> {
  const sizes: Array<[number, number]> = [];
  for (let i = octaves - 1; i >= 0; i--) {
    const f = octaveScale ** -i;
    const size: [number, number] = [Math.round(height * f), Math.round(width * f)];
    if (Math.min(...size) >= minSide) sizes.push(size);
  }
  return sizes;
}

/** Fails fast, before any work, on layer names or channel indices the model does not have. */
export function checkRecipeAgainstModel(model: DreamModel, recipe: Recipe): void {
  const infos = model.layers(model.defaultInputSize, model.defaultInputSize);
  const byName = new Map(infos.map((l) => [l.name, l]));
  const names = [...recipe.layers.map((l) => l.name), ...recipe.channels.map((c) => c.layer)];
  for (const name of names) {
    if (byName.has(name)) continue;
    const stem = name.replace(/\d+$/, '');
    throw new UnknownLayerError(name, stem ? infos.map((l) => l.name).filter((n) => n.startsWith(stem)) : []);
  }
  for (const c of recipe.channels) {
    const channels = byName.get(c.layer)!.channels;
    if (c.index >= channels) throw new RecipeError(`Channel ${c.index} is out of range for layer "${c.layer}", which has ${channels} channels (0-${channels - 1}).`);
  }
}

export async function* dream(model: DreamModel, input: RgbImage, recipe: Recipe, options: DreamOptions = {}): AsyncGenerator<DreamProgress, RgbImage> {
  if (!options.objective) checkRecipeAgainstModel(model, recipe);
  if (options.pool && options.objective) throw new Error('A worker pool runs recipe objectives only; composed objectives run in this thread.');
  // Masks and guides dream term group by group (termGroups.ts); everything else takes the plain path.
  const plan = !options.objective && usesMasksOrGuide(recipe) ? maskedPlan(model, recipe, input, options.assets ?? {}, options.pool) : undefined;
  try {
    const result = yield* dreamWith(model, input, recipe, options, plan);
    return recipe.fade || plan ? blendTowardInput(input, result, plan ? octaveMasks(plan, input.height, input.width).coverage : null, recipe.fade ?? 0) : result;
  } finally {
    plan?.dispose();
  }
}

async function* dreamWith(model: DreamModel, input: RgbImage, recipe: Recipe, options: DreamOptions, plan: MaskedPlan | undefined): AsyncGenerator<DreamProgress, RgbImage> {
  // A masked plan carries its own objectives, one per group.
  const objective = options.objective ?? (plan ? undefined : recipeObjective(recipe, classObjectiveFactory(model)));
  const runner: TileRunner | undefined = options.pool ? { pool: options.pool, terms: { layers: recipe.layers, channels: recipe.channels, classes: recipe.classes ?? [] } } : undefined;
  const layers = objective?.layers ?? plan!.layers;
  const minSide = minimumInputSize(model, layers);
  if (Math.min(input.width, input.height) < minSide) {
    throw new ImageTooSmallError(`The image is ${input.width}x${input.height}; layer ${layers.join(', ')} needs at least ${minSide}x${minSide} pixels.`);
  }
  if (recipe.tileSize < minSide) throw new ImageTooSmallError(`tileSize ${recipe.tileSize} is below the ${minSide} pixels layer ${layers.join(', ')} needs.`);
  const sizes = octaveSizes(input.height, input.width, octaveCount(recipe, input.height, input.width), recipe.octaveScale, minSide);
  const range = model.inputRange;
  const step = (recipe.stepSize * (range[1] - range[0])) / 255;
  const random = seededRandom(recipe.seed);
  const stepsAt = octaveSteps(recipe, sizes.map(([h, w]) => Math.min(h, w)));
  const totalSteps = stepsAt.reduce((a, b) => a + b, 0);
  const work = sizes.map(([h, w], i) => h * w * stepsAt[i]!);
  const totalWork = work.reduce((a, b) => a + b, 0);
  const started = performance.now();
  let doneWork = 0;
  let done = 0;

  // The image lives in plain arrays; only tiles become tensors (see pixels.ts). Buffers are reused and
  // dropped as soon as they are done with: a 4096x4096 image is 200 MB per copy.
  let gradient: Float32Array | undefined;
  let detail: { data: Float32Array; height: number; width: number } | undefined;
  for (const [octave, [height, width]] of sizes.entries()) {
    const last = octave === sizes.length - 1;
    const resized = resizeBilinear(input.rgb, input.height, input.width, height, width);
    let octaveBase: Float32Array | undefined = toRange(resized, range, resized);
    const x = detail ? resizeBilinear(detail.data, detail.height, detail.width, height, width) : new Float32Array(octaveBase.length);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + octaveBase[i]!;
    detail = undefined;
    // The last octave needs no detail afterwards, so its base can go now.
    if (last) octaveBase = undefined;
    if (gradient?.length !== x.length) gradient = new Float32Array(x.length);
    const masks = plan ? octaveMasks(plan, height, width) : undefined;
    const part = plan && plan.groups.length > 1 ? new Float32Array(x.length) : undefined;
    const tiled = Math.max(height, width) > recipe.tileSize;
    // Tiled images roll by up to a whole tile (TF2 tutorial), so seams land somewhere new each step.
    const shiftRange = tiled ? Math.max(recipe.jitter, recipe.tileSize) : recipe.jitter;
    for (let s = 0; s < stepsAt[octave]!; s++) {
      // A macrotask turn per step, so the host's signals, timers and IPC run even between untiled steps.
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      const dy = randomShift(random, Math.min(shiftRange, height - 1));
      const dx = randomShift(random, Math.min(shiftRange, width - 1));
      // Single-tile octaves stay in this thread: a worker round trip would only add copies.
      const tileOptions = { tileSize: recipe.tileSize, roll: [dy, dx] as const, ...(options.signal ? { signal: options.signal } : {}) };
      let result: { value: number; gradient: Float32Array };
      if (plan && masks) {
        // Each group's gradient weighted by its mask, then the recipe's mask over all; one step.
        let value = 0;
        if (part) gradient.fill(0);
        for (const [i, g] of plan.groups.entries()) {
          const r = await tiledGradient(model, x, height, width, g.objective, { ...tileOptions, into: part ?? gradient, ...((tiled || options.poolEveryStep) && g.runner ? { runner: g.runner } : {}) });
          value += r.value;
          if (part) addMasked(gradient, r.gradient, masks.groups[i]!);
          else if (masks.groups[i]) multiplyMask(gradient, masks.groups[i]!);
        }
        if (masks.whole) multiplyMask(gradient, masks.whole);
        result = { value, gradient };
        if (masks.coverage) maskedStep(x, gradient, step, range, masks.coverage);
        else normalisedStep(x, gradient, step, range);
      } else {
        result = await tiledGradient(model, x, height, width, objective!, { ...tileOptions, into: gradient, ...((tiled || options.poolEveryStep) && runner ? { runner } : {}) });
        normalisedStep(x, result.gradient, step, range);
      }
      done++;
      doneWork += height * width;
      const elapsedMs = performance.now() - started;
      const snapshot = x;
      yield {
        octave,
        octaves: sizes.length,
        step: s,
        steps: stepsAt[octave]!,
        done,
        total: totalSteps,
        elapsedMs,
        etaMs: doneWork > 0 ? (elapsedMs / doneWork) * (totalWork - doneWork) : null,
        value: result.value,
        width,
        height,
        preview: () => ({ width, height, rgb: fromRange(snapshot, range) }),
      };
    }
    // The dreamed image becomes the result in place: no third full-size buffer at the peak.
    if (last || !octaveBase) return { width, height, rgb: fromRange(x, range, x) };
    // Detail = what dreaming added at this octave; it is carried, upscaled, into the next one.
    for (let i = 0; i < x.length; i++) x[i] = x[i]! - octaveBase[i]!;
    detail = { data: x, height, width };
  }
  return { ...input, rgb: Float32Array.from(input.rgb) };
}

/**
 * Runs a dream to the end, handing each step's progress to `onProgress` (awaited, so a host may
 * encode a preview before the next step): the one way hosts consume dream().
 */
export async function dreamToEnd(model: DreamModel, input: RgbImage, recipe: Recipe, options: DreamOptions & { onProgress?: (p: DreamProgress) => unknown } = {}): Promise<RgbImage> {
  const it = dream(model, input, recipe, options);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    await options.onProgress?.(r.value);
  }
}
