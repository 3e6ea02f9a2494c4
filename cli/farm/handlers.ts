// What each job kind does, bound to one loaded model: the same functions run a job in a farm worker
// and in a local run, which is what makes farm and local pixels the same.
import * as tf from '@tensorflow/tfjs-core';
import type { DreamModel } from '../../engine/shared/model.ts';
import { featureRecipe, visualizeMany } from '../../engine/inspect/index.ts';
import { dreamToEnd } from '../../engine/render/dream.ts';
import { parseRecipe, recipeObjective } from '../../engine/recipe/recipe.ts';
import { classObjectiveFactory } from '../../engine/model/classes.ts';
import type { RgbImage } from '../../engine/shared/image.ts';
import { decodeUint8, encodeBytes, tileFloat32, type ModelRef, type RawImage } from '../../farm/kinds.ts';
import type { JobHandlers } from '../../farm/worker.ts';

/** Pixels as the PNG encoder stores them (clamped, rounded half to even): what a job sends back. */
export function imageToRaw(image: RgbImage): RawImage {
  return { width: image.width, height: image.height, data: encodeBytes(Uint8ClampedArray.from(image.rgb) as unknown as Uint8Array) };
}

export function rawToImage(raw: RawImage): RgbImage {
  return { width: raw.width, height: raw.height, rgb: Float32Array.from(decodeUint8(raw.data, raw.width * raw.height * 3)) };
}

export function jobHandlers(model: DreamModel, ref: ModelRef): JobHandlers {
  return {
    async feature(p, signal) {
      const recipe = featureRecipe(p.recipe);
      const result = await visualizeMany(model, [{ layer: p.layer, channel: p.channel }], recipe, { batchSize: 1, signal });
      return imageToRaw(result.images[0]!);
    },
    async 'dream-image'(p, signal) {
      const recipe = parseRecipe({ ...p.recipe, model: ref.id }, 'job recipe');
      const image = rawToImage(p.image);
      return imageToRaw(await dreamToEnd(model, image, recipe, { signal }));
    },
    async 'dream-tile'(p) {
      const terms = p.terms as { layers?: unknown; channels?: unknown; classes?: unknown };
      const recipe = parseRecipe({ model: ref.id, layers: terms.layers ?? [], channels: terms.channels ?? [], classes: terms.classes ?? [] }, 'job terms');
      const objective = recipeObjective(recipe, classObjectiveFactory(model));
      const x = tf.tensor4d(tileFloat32(p.tile), [1, p.tile.height, p.tile.width, 3]);
      try {
        const { value, gradient } = model.valueAndGradient(x, objective.layers, objective.fn);
        const data = gradient.dataSync() as Float32Array;
        gradient.dispose();
        // Bytes in hand: the worker sends them back the way the tile came (a Redis key, or base64).
        return { value, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) } };
      } finally {
        x.dispose();
      }
    },
  };
}
