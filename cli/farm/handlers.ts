// What each job kind does, bound to one loaded model: the same functions run a job in a farm worker
// and in a local run, which is what makes farm and local pixels the same.
import type { DreamModel } from '../../engine/shared/model.ts';
import { featureRecipe, visualizeMany } from '../../engine/inspect/index.ts';
import { dreamToEnd } from '../../engine/render/dream.ts';
import { parseRecipe } from '../../engine/recipe/recipe.ts';
import { termsObjectives, tileGradient } from '../../engine/render/tileStep.ts';
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
  const objectiveOf = termsObjectives(model);
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
      // The payload's terms are checked as a recipe's would be, then run as the local tile unit does.
      const terms = p.terms as { layers?: unknown; channels?: unknown; classes?: unknown };
      const recipe = parseRecipe({ model: ref.id, layers: terms.layers ?? [], channels: terms.channels ?? [], classes: terms.classes ?? [] }, 'job terms');
      const { value, gradient } = tileGradient(model, tileFloat32(p.tile), p.tile.height, p.tile.width, objectiveOf({ layers: recipe.layers, channels: recipe.channels, classes: recipe.classes }));
      // Bytes in hand: the worker sends them back the way the tile came (a Redis key, or base64).
      return { value, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(gradient.buffer, gradient.byteOffset, gradient.byteLength) } };
    },
  };
}
