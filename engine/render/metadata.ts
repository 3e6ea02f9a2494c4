// What every dreamed PNG carries: the recipe plus the facts needed to reproduce it (iTXt chunk "reverie").
import { readFile } from 'node:fs/promises';
import { readPngTexts } from '../io/image.ts';
import { parseRecipe, RecipeError, type Recipe } from '../recipe/recipe.ts';
import type { DreamModel } from '../shared/model.ts';

export const PNG_TEXT_KEY = 'reverie';

export interface DreamMetadata {
  app: 'reverie';
  appVersion: string;
  backend: string;
  /** Where the dream steps ran (cpu, webgpu, dml, coreml, cuda, or tfjs): same recipe + seed + device = same pixels. */
  device?: string;
  /** The same in words, with the adapter ("onnxruntime-node 1.30.0 on webgpu (SwiftShader (Vulkan), software GPU)"). */
  deviceLabel?: string;
  softwareGpu?: boolean;
  input: string;
  createdAt: string;
  recipe: Recipe;
}

/** The device fields for a model's latest step (none for models without native routes). */
export function deviceMetadata(model: DreamModel): Pick<DreamMetadata, 'device' | 'deviceLabel' | 'softwareGpu'> {
  const d = model.device;
  return d ? { device: d.device, deviceLabel: d.label, ...(d.adapter?.software ? { softwareGpu: true } : {}) } : {};
}

export function metadataText(meta: DreamMetadata): Record<string, string> {
  return { [PNG_TEXT_KEY]: JSON.stringify(meta) };
}

export async function readDreamMetadata(pngPath: string): Promise<DreamMetadata> {
  let png: Buffer;
  try {
    png = await readFile(pngPath);
  } catch (err) {
    throw new RecipeError(`${pngPath}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return dreamMetadataFromPng(png, pngPath);
}

/** The metadata a PNG's bytes carry; `name` labels errors (no file needs to exist). */
export function dreamMetadataFromPng(png: Buffer, name: string): DreamMetadata {
  const text = readPngTexts(png, name)[PNG_TEXT_KEY];
  if (text === undefined) throw new RecipeError(`${name}: this PNG carries no Reverie recipe (it was not made by Reverie, or its metadata was stripped).`);
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    throw new RecipeError(`${name}: the Reverie metadata is not valid JSON.`);
  }
  const m = meta as Partial<DreamMetadata>;
  if (m.app !== 'reverie' || typeof m.recipe !== 'object') throw new RecipeError(`${name}: the "reverie" text chunk is not Reverie metadata.`);
  return { ...(m as DreamMetadata), recipe: parseRecipe(m.recipe, `${name} recipe`) };
}

export async function readRecipeFromPng(pngPath: string): Promise<Recipe> {
  return (await readDreamMetadata(pngPath)).recipe;
}
