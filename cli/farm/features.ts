// Feature visualizations on a farm, for `reverie filters --farm`: what the cache lacks becomes one
// `feature` job per channel; results go into the cache as they arrive, like a local render's.
import type { DreamModel } from '../../engine/shared/model.ts';
import type { FeatureCache, FeatureRecipe, ManyResult } from '../../engine/inspect/index.ts';
import type { RgbImage } from '../../engine/shared/image.ts';
import { FarmJobsFailedError } from '../../farm/submit.ts';
import { rawToImage } from './handlers.ts';
import { modelFingerprint } from './model.ts';
import { farmRunner } from './runner.ts';

export async function renderOnFarm(
  url: string,
  allowInsecure: boolean,
  model: DreamModel,
  layer: string,
  channels: readonly number[],
  recipe: FeatureRecipe,
  options: { signal?: AbortSignal; cache: FeatureCache | null; onDone?: (done: number, total: number) => void },
): Promise<ManyResult> {
  const ref = await modelFingerprint(model.id);
  const images: Array<RgbImage | null> = [];
  for (const channel of channels) images.push((await options.cache?.get(model.id, { layer, channel }, recipe)) ?? null);
  const cached = images.map((i) => i !== null);
  const todo = channels.filter((_, i) => !cached[i]).map((channel) => ({ channel, at: channels.indexOf(channel) }));
  const runner = farmRunner(url, allowInsecure, ref);
  let done = 0;
  try {
    const failures = await runner.run(
      { length: todo.length, get: (i) => ({ kind: 'feature' as const, payload: { model: ref, layer, channel: todo[i]!.channel, recipe: { ...recipe } } }) },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onResult: async (i, raw) => {
          const image = rawToImage(raw);
          await options.cache?.put(model.id, { layer, channel: todo[i]!.channel }, recipe, image);
          images[todo[i]!.at] = image;
          options.onDone?.(++done, todo.length);
        },
      },
    );
    if (failures.length) throw new FarmJobsFailedError(failures.map((f) => ({ ...f, reason: `${layer}:${todo[f.index]!.channel}: ${f.reason}` })));
  } finally {
    await runner.close();
  }
  return { images: images as RgbImage[], cached };
}
