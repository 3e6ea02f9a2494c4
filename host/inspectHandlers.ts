// The Inspect panel over the contract: which channel pictures the engine's cache already holds,
// a page of the grid rendered as a job, one channel's large view with its neighbours, and an image
// probe (its strongest channels with their maps). Layers and channels are checked against the model.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Handlers } from '../contract/channels.ts';
import { INSPECT_QUALITY, MAX_CHANNELS_PER_REQUEST, type InspectQuality } from '../contract/inspect.ts';
import type { ServiceContext } from './context.ts';
import { newGalleryId } from './gallery.ts';
import { featureCacheDevice } from './windowChoices.ts';
import type { FeaturePlace, FeatureSize } from './protocol.ts';
import { BadRequestError, requireId, requireInt, requireObject } from './validate.ts';

type InspectHandlers = Pick<Handlers, 'inspect.cached' | 'inspect.render' | 'inspect.channel' | 'inspect.image'>;

/** A channel's large view is rendered at twice the grid's size (at most 256 px). */
export const viewSize = (q: FeatureSize): FeatureSize => ({ size: Math.min(256, q.size * 2), steps: q.steps });

export function inspectHandlers(ctx: ServiceContext): InspectHandlers {
  const { engine, queue, inputs, options } = ctx;
  const features = { dir: join(options.dataDir, 'features'), rel: 'features' };
  /** The cache as the next job sees it: keyed by the device its steps will run on. */
  const place = (): FeaturePlace => {
    const status = engine.status;
    return { ...features, device: featureCacheDevice(engine.spec.device, ctx.window.offers(), status.state === 'ready' ? status.device : null) };
  };
  const probes = join(options.dataDir, 'inspect');

  /** The layer, once the model is loaded and has it; with its channel count. */
  async function layerOf(req: Record<string, unknown>): Promise<{ layer: string; channels: number }> {
    await engine.whenReady();
    const name = req['layer'];
    const found = engine.layers.find((l) => l.name === name);
    if (!found) throw new BadRequestError(`There is no layer ${JSON.stringify(name)} to inspect; pick one of ${engine.layers.map((l) => l.name).join(', ')}.`);
    return { layer: found.name, channels: found.channels };
  }

  function quality(value: unknown): FeatureSize {
    if (typeof value !== 'string' || !Object.hasOwn(INSPECT_QUALITY, value)) throw new BadRequestError(`Quality must be one of ${Object.keys(INSPECT_QUALITY).join(', ')}.`);
    const { size, steps } = INSPECT_QUALITY[value as InspectQuality];
    return { size, steps };
  }

  async function page(request: unknown) {
    const req = requireObject(request, 'The inspect request');
    const { layer, channels } = await layerOf(req);
    const list = req['channels'];
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHANNELS_PER_REQUEST) throw new BadRequestError(`Name 1 to ${MAX_CHANNELS_PER_REQUEST} channels.`);
    const picked = [...new Set(list.map((c) => requireInt(c, `A channel of ${layer}`, 0, channels - 1)))];
    return { layer, channels: picked, recipe: quality(req['quality']) };
  }

  return {
    'inspect.cached': async (request) => {
      const { layer, channels, recipe } = await page(request);
      const status = engine.status;
      const modelId = status.state === 'ready' ? status.modelId : 'inception_v3';
      const found = (await engine.call({ op: 'inspect.cached', cache: place(), modelId, layer, channels, recipe })) as Array<{ channel: number; rel: string }>;
      return found.map((f) => ({ channel: f.channel, url: options.fileUrl(f.rel) }));
    },
    'inspect.render': async (request) => {
      const { layer, channels, recipe } = await page(request);
      return queue.enqueue({ kind: 'inspect', cache: place(), task: { op: 'grid', layer, channels, recipe } });
    },
    'inspect.channel': async (request) => {
      const req = requireObject(request, 'The inspect request');
      const { layer, channels } = await layerOf(req);
      const channel = requireInt(req['channel'], `A channel of ${layer}`, 0, channels - 1);
      return queue.enqueue({ kind: 'inspect', cache: place(), task: { op: 'channel', layer, channel, recipe: viewSize(quality(req['quality'])), neighbours: 6 } });
    },
    'inspect.image': async (request) => {
      const req = requireObject(request, 'The inspect request');
      const { layer } = await layerOf(req);
      const inputId = requireId(req['inputId'], 'The input id');
      const top = requireInt(req['top'] ?? 8, 'Top channels', 1, 32);
      const input = await inputs.record(inputId);
      // Probes are scratch: each new one removes those no job is using any more.
      const old = await readdir(probes).catch(() => [] as string[]);
      await Promise.all(old.filter((n) => !queue.hasTarget(n)).map((n) => rm(join(probes, n), { recursive: true, force: true })));
      const id = newGalleryId();
      await mkdir(join(probes, id), { recursive: true });
      const out = { dir: join(probes, id), rel: `inspect/${id}` };
      return queue.enqueue({ kind: 'inspect', cache: place(), task: { op: 'image', layer, inputPath: inputs.sourcePath(inputId), inputName: input.name, top, out } }, id);
    },
  };
}
