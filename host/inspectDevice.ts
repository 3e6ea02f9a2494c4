// Where an inspect job's feature images are computed, and the cache as that device sees it. On a
// window device each image's gradient goes to the app window's GPU (the CPU route behind it, as for
// dreams); the cache answers with pictures of the device the job asked for, and stores each new one
// under the device its steps actually ran on: 'window-webgl', 'window-webgpu', 'cpu' when the window
// could not, 'window+cpu' (never looked up) when it stopped part way.
import { ENGINE_DEVICE, engineCacheDevice, FeatureCache } from '../engine/inspect/cache.ts';
import type { FeatureRecipe } from '../engine/inspect/recipe.ts';
import type { FeatureTarget } from '../engine/inspect/targets.ts';
import type { RgbImage } from '../engine/shared/image.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { FeaturePlace } from './protocol.ts';
import { openWindowRoute, type WindowTileClient, type WindowTileSource } from './windowTiles.ts';

/** Looks up on the asked-for device; stores where each picture was computed. */
class RanOnCache extends FeatureCache {
  constructor(
    dir: string,
    device: string,
    private readonly ranOn: (target: FeatureTarget) => string,
  ) {
    super(dir, device);
  }

  override put(modelId: string, target: FeatureTarget, recipe: FeatureRecipe, image: RgbImage): Promise<string> {
    return super.put(modelId, target, recipe, image, this.ranOn(target));
  }

  /** The file a freshly computed picture went to. */
  stored(modelId: string, target: FeatureTarget, recipe: FeatureRecipe): string {
    return this.file(modelId, target, recipe, this.ranOn(target));
  }
}

export interface FeatureDevice {
  cache: RanOnCache;
  /** The window's tile source for the render's gradients (absent: the engine's own routes). */
  tiles?: WindowTileSource;
  /** The progress label's note on where the steps run. */
  where(): string;
}

export function featureDevice(place: FeaturePlace, model: DreamModel, client: WindowTileClient | undefined, onDevice?: (device: string, accelerator: string | null) => void): FeatureDevice {
  const asked = place.device ?? ENGINE_DEVICE;
  // The engine's own route at the time each picture is stored (its last step's: a refused GPU shape falls back).
  const engineRan = (): string => engineCacheDevice(model.device?.device);
  if (!client) return { cache: new RanOnCache(place.dir, asked, engineRan), where: () => '' };
  const route = openWindowRoute(client, model, onDevice);
  const { tiles } = route;
  const ranOn = (target: FeatureTarget): string => {
    const where = tiles.featureDevice(target);
    if (where === 'cpu' || where === null) return engineRan();
    return where === 'window' && tiles.ranOn ? `window-${tiles.ranOn.backend}` : 'window+cpu';
  };
  return { cache: new RanOnCache(place.dir, asked, ranOn), tiles, where: route.where };
}
