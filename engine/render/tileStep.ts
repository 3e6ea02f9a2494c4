// One tile's gradient: the unit of work every layout shares (this thread, a worker thread, a farm
// node). It is a pure function of (model, pixels, shape, objective terms): no randomness, no state that
// changes the result, so a tile gives the same bits wherever it runs (the roll and the tile grid are
// decided by the caller, from the recipe's seed and tile size alone). The onnxruntime route feeds the
// objective's gradient per layer (its "seeds") guessed from the previous call and runs again when the
// guess was off, so a worker's history changes how much work a tile costs, never its bits.
import * as tf from '@tensorflow/tfjs-core';
import { classObjectiveFactory } from '../model/classes.ts';
import type { DreamModel } from '../shared/model.ts';
import type { Objective } from '../objectives/objective.ts';
import type { ObjectiveTerms } from '../parallel/protocol.ts';
import { recipeObjective } from '../recipe/recipe.ts';
import { targetObjective } from '../inspect/targets.ts';

export interface TileGradient {
  value: number;
  /** d(objective)/d(tile), HWC, the tile's own shape. */
  gradient: Float32Array;
}

/** An objective rebuilt from serialisable terms (what crosses to workers and farm nodes). */
export function termsObjective(model: DreamModel, terms: ObjectiveTerms): Objective {
  if (terms.feature) return targetObjective(model, terms.feature);
  return recipeObjective({ layers: terms.layers, channels: terms.channels, classes: terms.classes ?? [] }, classObjectiveFactory(model));
}

/**
 * Objectives by their terms for one model: the same terms get the same function, so the onnxruntime
 * route's seeds (kept per objective function) carry over from one tile request to the next. Bounded:
 * few term sets are alive at once, and the oldest goes first.
 */
export function termsObjectives(model: DreamModel, limit = 64): (terms: ObjectiveTerms) => Objective {
  const known = new Map<string, Objective>();
  return (terms) => {
    const key = JSON.stringify(terms);
    let o = known.get(key);
    if (!o) {
      if (known.size >= limit) known.delete(known.keys().next().value!);
      o = termsObjective(model, terms);
      known.set(key, o);
    }
    return o;
  };
}

/** The objective's value and its gradient for one tile (NHWC batch 1, in the model's input range). */
export function tileGradient(model: DreamModel, pixels: Float32Array, height: number, width: number, objective: Objective): TileGradient {
  // onnxruntime takes and returns plain arrays: no tensor round trip through the tfjs backend.
  if (model.valueAndGradientData) return model.valueAndGradientData(pixels, height, width, objective.layers, objective.fn);
  const x = tf.tensor4d(pixels, [1, height, width, 3]);
  try {
    const r = model.valueAndGradient(x, objective.layers, objective.fn);
    // A copy: some backends hand out their own storage, which must not escape the tensor.
    const gradient = (r.gradient.dataSync() as Float32Array).slice();
    r.gradient.dispose();
    return { value: r.value, gradient };
  } finally {
    x.dispose();
  }
}

/** Whether a result can be transferred to another thread as is (it owns its whole buffer). */
export function ownsBuffer(a: Float32Array): boolean {
  return a.byteOffset === 0 && a.buffer.byteLength === a.byteLength && !(a.buffer instanceof SharedArrayBuffer);
}
