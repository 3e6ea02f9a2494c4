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

/** The recipe with a mask painted for one of its terms named by hash in that term. */
function withTermMask(recipe: Recipe, term: unknown, asset: Asset, what: string): Recipe {
  const t = requireObject(term, what);
  const list = t['list'];
  if (list !== 'layers' && list !== 'channels' && list !== 'classes') throw new BadRequestError(`${what}.list must be "layers", "channels" or "classes".`);
  if (asset.kind !== 'mask') throw new BadRequestError(`${what}: only a mask belongs to a term.`);
  const terms = (recipe[list] ?? []) as Array<{ mask?: string }>;
  const index = t['index'];
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= terms.length) throw new BadRequestError(`${what}.index must name one of the recipe's ${list} (0 to ${terms.length - 1}).`);
  return parseRecipe({ ...recipe, [list]: terms.map((x, j) => (j === index ? { ...x, mask: asset.hash } : x)) }, 'recipe');
}

/** The recipe with the Guide slot's and the painted mask's hashes set, and every asset it names. */
export async function dreamRequestAssets(req: Record<string, unknown>, recipe: Recipe, inputs: InputStore): Promise<{ recipe: Recipe; assets: Asset[] }> {
  const assets: Asset[] = [];
  const listed = req['assets'] ?? [];
  if (!Array.isArray(listed) || listed.length > MAX_ASSETS) throw new BadRequestError(`assets must be a list of at most ${MAX_ASSETS} images.`);
  for (const [i, entry] of listed.entries()) {
    const a = requireObject(entry, `assets[${i}]`);
    if (a['kind'] !== 'mask' && a['kind'] !== 'guide') throw new BadRequestError(`assets[${i}].kind must be "mask" or "guide".`);
    const asset = await readAsset(inputs, a['kind'], a['inputId'], `assets[${i}].inputId`);
    assets.push(asset);
    if (a['term'] !== undefined) recipe = withTermMask(recipe, a['term'], asset, `assets[${i}].term`);
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

