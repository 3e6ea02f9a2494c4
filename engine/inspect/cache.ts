// Finished visualizations on disk, one PNG per model, target, recipe and device, so the inspector
// opens instantly the second time. Keyed by device because devices round differently (a GPU's float32
// differs from the CPU's in the last bits, which Adam's steps grow): a picture the app window's GPU made
// never answers for the CPU, nor the reverse. Writes are atomic; an unreadable entry counts as a miss.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { decodeImage, encodePng } from '../io/image.ts';
import type { RgbImage } from '../shared/image.ts';
import { canonicalRecipe, type FeatureRecipe } from './recipe.ts';
import { targetKey, type FeatureTarget } from './targets.ts';

export const FEATURE_PNG_KEY = 'reverie-feature';

/** $REVERIE_CACHE_DIR/filters, else $XDG_CACHE_HOME/reverie/filters, else ~/.cache/reverie/filters. */
export function defaultFeatureCacheDir(): string {
  const env = (name: string): string | undefined => process.env[name] || undefined;
  const base = env('REVERIE_CACHE_DIR');
  return base ? join(base, 'filters') : join(env('XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'reverie', 'filters');
}

export function recipeHash(recipe: FeatureRecipe): string {
  return createHash('sha256').update(canonicalRecipe(recipe)).digest('hex').slice(0, 16);
}

/** A file-name-safe form of a model id or layer name; ids that needed changes get a hash to stay unique. */
function safeName(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return clean === text ? text : `${clean}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
}

/** The engine's own routes (the CPU, and onnxruntime's providers) as a cache key; pictures made before keys existed were made there. */
export const ENGINE_DEVICE = 'cpu';
/**
 * The cache key for pictures made on one of the engine's own routes: 'cpu' (onnxruntime on the CPU,
 * unsuffixed, as caches have always been) or the route's name ('tfjs', 'webgpu', 'cuda', ...), since
 * each rounds differently and dozens of steps from noise make that visible.
 */
export const engineCacheDevice = (route: string | null | undefined): string => (route && route !== 'window' ? route : ENGINE_DEVICE);

export class FeatureCache {
  /** `device`: where the pictures this cache answers with were computed ('cpu', 'window-webgl', ...). */
  constructor(
    readonly dir: string = defaultFeatureCacheDir(),
    readonly device: string = ENGINE_DEVICE,
  ) {}

  /** Where a target's image lives: DIR/model/layer/channel-recipehash.png, with -device before .png for other devices. */
  file(modelId: string, target: FeatureTarget, recipe: FeatureRecipe, device = this.device): string {
    const what = target.channel === undefined ? 'layer' : `${target.channel}${target.neuron ? '-centre' : ''}`;
    const on = device === ENGINE_DEVICE ? '' : `-${safeName(device)}`;
    return join(this.dir, safeName(modelId), safeName(target.layer), `${what}-${recipeHash(recipe)}${on}.png`);
  }

  async get(modelId: string, target: FeatureTarget, recipe: FeatureRecipe): Promise<RgbImage | null> {
    let png: Buffer;
    try {
      png = await readFile(this.file(modelId, target, recipe));
    } catch {
      return null;
    }
    try {
      const img = await decodeImage(png, { name: this.file(modelId, target, recipe) });
      return img.width === recipe.size && img.height === recipe.size ? { width: img.width, height: img.height, rgb: img.rgb } : null;
    } catch {
      return null; // a damaged entry is re-rendered and overwritten
    }
  }

  /** Stores a picture computed on `device` (by default this cache's). */
  async put(modelId: string, target: FeatureTarget, recipe: FeatureRecipe, image: RgbImage, device = this.device): Promise<string> {
    const path = this.file(modelId, target, recipe, device);
    await mkdir(dirname(path), { recursive: true });
    const meta = JSON.stringify({ model: modelId, target: targetKey(target), recipe, device });
    await writeFileAtomic(path, await encodePng({ ...image, alpha: null }, { [FEATURE_PNG_KEY]: meta }));
    return path;
  }
}
