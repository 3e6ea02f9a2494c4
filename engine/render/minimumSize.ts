// The smallest square input on which every layer an objective reads still has at least one pixel.
import type { DreamModel } from '../model/types.ts';

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
  let lo = 1;
  let hi = 4096;
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
