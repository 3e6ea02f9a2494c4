// Deep dream: gradient ascent on layer activations, octave by octave, with rolled tiles.
// The loop follows the deepdream notebook and the TF2 tutorial; each step yields a progress event.
import * as tf from '@tensorflow/tfjs-core';
import { UnknownLayerError, type DreamModel } from '../model/types.ts';
import type { Objective } from '../objectives/objective.ts';
import { recipeObjective, type Recipe } from './recipe.ts';
import { tiledGradient, type TileRunner } from './tiles.ts';
import type { GradientPool } from '../parallel/gradientPool.ts';
import { randomShift, seededRandom } from './random.ts';
import { fromModelRange, resize, roll, toModelRange, type RgbImage } from './image.ts';
import { minimumInputSize } from './minimumSize.ts';

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
  /** Worker threads for tiled octaves (the recipe's own objective only: it crosses threads as terms). */
  pool?: GradientPool;
}

export class ImageTooSmallError extends Error {
  override name = 'ImageTooSmallError';
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
    if (c.index >= channels) throw new RangeError(`Channel ${c.index} is out of range for layer "${c.layer}", which has ${channels} channels (0-${channels - 1}).`);
  }
}

export async function* dream(model: DreamModel, input: RgbImage, recipe: Recipe, options: DreamOptions = {}): AsyncGenerator<DreamProgress, RgbImage> {
  if (!options.objective) checkRecipeAgainstModel(model, recipe);
  const objective = options.objective ?? recipeObjective(recipe);
  if (options.pool && options.objective) throw new Error('A worker pool runs recipe objectives only; composed objectives run in this thread.');
  const runner: TileRunner | undefined = options.pool ? { pool: options.pool, terms: { layers: recipe.layers, channels: recipe.channels } } : undefined;
  const minSide = minimumInputSize(model, objective.layers);
  if (Math.min(input.width, input.height) < minSide) {
    throw new ImageTooSmallError(`The image is ${input.width}x${input.height}; layer ${objective.layers.join(', ')} needs at least ${minSide}x${minSide} pixels.`);
  }
  if (recipe.tileSize < minSide) throw new ImageTooSmallError(`tileSize ${recipe.tileSize} is below the ${minSide} pixels layer ${objective.layers.join(', ')} needs.`);
  const sizes = octaveSizes(input.height, input.width, recipe.octaves, recipe.octaveScale, minSide);
  const [lo, hi] = model.inputRange;
  const step = (recipe.stepSize * (hi - lo)) / 255;
  const random = seededRandom(recipe.seed);
  const work = sizes.map(([h, w]) => h * w * recipe.steps);
  const totalWork = work.reduce((a, b) => a + b, 0);
  const started = performance.now();
  let doneWork = 0;
  let done = 0;

  const base = toModelRange(input, model.inputRange);
  let x: tf.Tensor4D | undefined;
  let detail: tf.Tensor4D | undefined;
  try {
    for (const [octave, [height, width]] of sizes.entries()) {
      const octaveBase = resize(base, height, width);
      const next: tf.Tensor4D = detail ? tf.tidy(() => tf.add(octaveBase, resize(detail!, height, width))) : tf.clone(octaveBase);
      x?.dispose();
      x = next;
      const tiled = Math.max(height, width) > recipe.tileSize;
      // Tiled images roll by up to a whole tile (TF2 tutorial), so seams land somewhere new each step.
      const shiftRange = tiled ? Math.max(recipe.jitter, recipe.tileSize) : recipe.jitter;
      try {
        for (let s = 0; s < recipe.steps; s++) {
          // A macrotask turn per step, so the host's signals, timers and IPC run even between untiled steps.
          await new Promise((resolve) => setImmediate(resolve));
          options.signal?.throwIfAborted();
          const dy = randomShift(random, Math.min(shiftRange, height - 1));
          const dx = randomShift(random, Math.min(shiftRange, width - 1));
          const rolled = roll(x, dy, dx);
          let result;
          try {
            // Single-tile octaves stay in this thread: a worker round trip would only add copies.
            result = await tiledGradient(model, rolled, objective, recipe.tileSize, options.signal, tiled ? runner : undefined);
          } finally {
            rolled.dispose();
          }
          const current: tf.Tensor4D = x;
          x = tf.tidy(() => {
            const g = roll(result.gradient, -dy, -dx);
            const normalised = tf.div(g, tf.add(tf.mean(tf.abs(g)), 1e-8));
            return tf.clipByValue(tf.add(current, tf.mul(normalised, step)), lo, hi) as tf.Tensor4D;
          });
          result.gradient.dispose();
          current.dispose();
          done++;
          doneWork += height * width;
          const elapsedMs = performance.now() - started;
          const snapshot = x;
          yield {
            octave,
            octaves: sizes.length,
            step: s,
            steps: recipe.steps,
            done,
            total: sizes.length * recipe.steps,
            elapsedMs,
            etaMs: doneWork > 0 ? (elapsedMs / doneWork) * (totalWork - doneWork) : null,
            value: result.value,
            width,
            height,
            preview: () => fromModelRange(snapshot, model.inputRange),
          };
        }
        detail?.dispose();
        detail = tf.sub(x, octaveBase) as tf.Tensor4D;
      } finally {
        octaveBase.dispose();
      }
    }
    if (!x) return { ...input, rgb: Float32Array.from(input.rgb) };
    return fromModelRange(x, model.inputRange);
  } finally {
    base.dispose();
    x?.dispose();
    detail?.dispose();
  }
}

/** Runs a dream to the end, forwarding progress; for hosts that do not need the generator. */
export async function dreamToEnd(model: DreamModel, input: RgbImage, recipe: Recipe, options: DreamOptions & { onProgress?: (p: DreamProgress) => void } = {}): Promise<RgbImage> {
  const it = dream(model, input, recipe, options);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    options.onProgress?.(r.value);
  }
}
