// Reads the recipe a Reverie PNG carries from bytes the renderer sent, through the engine's own
// reader, in memory: an upload is never written anywhere to be read back. The masks and guide it
// carries are imported like any picture, so the page can show them and dream with them again.
import sharp from 'sharp';
import type { FileBytes, InputImage, LoadedAsset, LoadedRecipe } from '../contract/types.ts';
import { assetPng, assetsFromPng } from '../engine/io/assets.ts';
import { dreamMetadataFromPng } from '../engine/render/metadata.ts';

export async function recipeFromPngBytes(file: FileBytes, importImage: (file: FileBytes) => Promise<InputImage>): Promise<LoadedRecipe> {
  const png = Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength);
  const meta = dreamMetadataFromPng(png, file.name);
  // The size it was dreamed at, so loading the recipe reproduces the dream.
  const { width, height } = await sharp(png).metadata();
  const assets: LoadedAsset[] = [];
  for (const a of await assetsFromPng(png, file.name)) {
    const image = await importImage({ name: `${a.kind}-${a.hash.slice(7, 15)}.png`, data: new Uint8Array(await assetPng(a)) });
    assets.push({ kind: a.kind, hash: a.hash, image });
  }
  return { recipe: meta.recipe, appVersion: meta.appVersion, input: meta.input, createdAt: meta.createdAt, width, height, ...(assets.length ? { assets } : {}) };
}
