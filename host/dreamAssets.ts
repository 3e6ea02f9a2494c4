// The masks and guide a dream request brings, as imported images: the Guide slot's image, the
// painted mask, and (for a loaded recipe) images it already names by content hash. Each is read
// the engine's way, so its hash is the one the recipe and the saved PNG carry.
import { readGuide, readMask, type Asset } from '../engine/io/assets.ts';
import { parseRecipe, recipeAssets, type Recipe } from '../engine/recipe/recipe.ts';
import type { InputStore } from './inputs.ts';
import { BadRequestError, requireId, requireNoAssets, requireObject } from './validate.ts';

const MAX_ASSETS = 16;

async function readAsset(inputs: InputStore, kind: Asset['kind'], id: unknown, what: string): Promise<Asset> {
  const inputId = requireId(id, what);
  await inputs.record(inputId);
  return kind === 'mask' ? readMask(inputs.sourcePath(inputId)) : readGuide(inputs.sourcePath(inputId));
}

/** The recipe with the Guide slot's and the painted mask's hashes set, and every asset it names. */
export async function dreamRequestAssets(req: Record<string, unknown>, recipe: Recipe, inputs: InputStore): Promise<{ recipe: Recipe; assets: Asset[] }> {
  const assets: Asset[] = [];
  const listed = req['assets'] ?? [];
  if (!Array.isArray(listed) || listed.length > MAX_ASSETS) throw new BadRequestError(`assets must be a list of at most ${MAX_ASSETS} images.`);
  for (const [i, entry] of listed.entries()) {
    const a = requireObject(entry, `assets[${i}]`);
    if (a['kind'] !== 'mask' && a['kind'] !== 'guide') throw new BadRequestError(`assets[${i}].kind must be "mask" or "guide".`);
    assets.push(await readAsset(inputs, a['kind'], a['inputId'], `assets[${i}].inputId`));
  }
  // A guide is an imported image; the recipe names it by content hash, the job carries its pixels.
  if (req['guideInputId'] !== undefined) {
    const guide = await readAsset(inputs, 'guide', req['guideInputId'], 'The guide image id');
    assets.push(guide);
    recipe = parseRecipe({ ...recipe, guide: guide.hash }, 'recipe');
  }
  if (req['maskInputId'] !== undefined) {
    const mask = await readAsset(inputs, 'mask', req['maskInputId'], 'The mask image id');
    assets.push(mask);
    recipe = parseRecipe({ ...recipe, mask: mask.hash }, 'recipe');
  }
  requireNoAssets(recipe, assets);
  // Only what the recipe names travels with the job (and into the PNG).
  const named = new Set(recipeAssets(recipe));
  return { recipe, assets: assets.filter((a, i) => named.has(a.hash) && assets.findIndex((b) => b.hash === a.hash) === i) };
}

