// Reads the recipe a Reverie PNG carries from bytes the renderer sent, through the engine's own
// reader, in memory: an upload is never written anywhere to be read back.
import sharp from 'sharp';
import type { FileBytes, LoadedRecipe } from '../contract/types.ts';
import { dreamMetadataFromPng } from '../engine/render/metadata.ts';

export async function recipeFromPngBytes(file: FileBytes): Promise<LoadedRecipe> {
  const png = Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength);
  const meta = dreamMetadataFromPng(png, file.name);
  // The size it was dreamed at, so loading the recipe reproduces the dream.
  const { width, height } = await sharp(png).metadata();
  return { recipe: meta.recipe, appVersion: meta.appVersion, input: meta.input, createdAt: meta.createdAt, width, height };
}
