// The smallest square input on which every layer an objective reads still has at least one pixel.
import type { DreamModel } from '../shared/model.ts';
import { LayersDreamModel } from '../model/layersModel.ts';

const cache = new WeakMap<DreamModel, Map<string, number>>();

export function minimumInputSize(model: DreamModel, layers: readonly string[]): number {
  const key = [...layers].sort().join(',');
  const known = cache.get(model)?.get(key);
  if (known !== undefined) return known;
  const fits = (side: number): boolean => {
    const infos = model.layers(side, side);
    return layers.every((name) => {
      const info = infos.find((l) => l.name === name);
      return info === undefined || (info.height > 0 && info.width > 0);
    });
  };
  // Layers models infer shapes analytically. Graph models learn them by running the graph, where a
  // zero-size output aborts the wasm module: search them only between a quarter of the size they were
  // made for and that size.
  const analytic = model instanceof LayersDreamModel;
  let lo = analytic ? 1 : Math.max(1, Math.floor(model.defaultInputSize / 4));
  let hi = analytic ? 4096 : model.defaultInputSize;
  if (!fits(hi)) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) hi = mid;
    else lo = mid + 1;
  }
  if (!cache.has(model)) cache.set(model, new Map());
  cache.get(model)!.set(key, lo);
  return lo;
}
