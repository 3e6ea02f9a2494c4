// Reads the recipe a Reverie PNG carries from bytes the renderer sent, through the engine's own reader.
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileBytes, LoadedRecipe } from '../contract/types.ts';
import { RecipeError } from '../engine/recipe/recipe.ts';
import { readDreamMetadata } from '../engine/render/metadata.ts';

export async function recipeFromPngBytes(file: FileBytes): Promise<LoadedRecipe> {
  const path = join(tmpdir(), `reverie-recipe-${randomBytes(6).toString('hex')}.png`);
  await writeFile(path, file.data);
  try {
    const meta = await readDreamMetadata(path);
    return { recipe: meta.recipe, appVersion: meta.appVersion, input: meta.input, createdAt: meta.createdAt };
  } catch (err) {
    // Name the user's file, not our temporary copy.
    if (!(err instanceof Error)) throw err;
    const named = new RecipeError(err.message.split(path).join(file.name));
    named.name = err.name;
    throw named;
  } finally {
    await rm(path, { force: true });
  }
}
