// Feature visualization inside the engine worker: a page of a layer's channel grid (each picture
// announced as it lands, all of them cached on disk by the engine), one channel's large view with
// its strongest neighbours, and an image probe (its strongest channels, each map as a picture).
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { channelPlane, colourise, FeatureCache, featureMaps, featureRecipe, strongestNeighbours, topChannels, visualize, visualizeMany, type FeatureProgress } from '../engine/inspect/index.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { RgbImage } from '../engine/shared/image.ts';
import { writeFileAtomic } from '../engine/io/atomic.ts';
import type { JobContext } from './dreamJob.ts';
import { relPath } from './entries.ts';
import { jpeg, scaledInput } from './pictures.ts';
import { featureDevice } from './inspectDevice.ts';
import type { FeaturePlace, FeatureSize, InspectJobSpec, JobOutput, ProgressMessage } from './protocol.ts';

export interface InspectJobContext extends JobContext {
  model: DreamModel;
}

const recipeOf = (r: FeatureSize) => featureRecipe({ size: r.size, steps: r.steps });
const cacheRel = (place: FeaturePlace, file: string): string => relPath(place.rel, relative(place.dir, file));

/** Cached pictures among `channels` made on the place's device (no model needed: the cache is keyed by the model's id). */
export async function cachedChannels(place: FeaturePlace, modelId: string, layer: string, channels: number[], size: FeatureSize): Promise<Array<{ channel: number; rel: string }>> {
  const cache = new FeatureCache(place.dir, place.device);
  const recipe = recipeOf(size);
  const found = await Promise.all(channels.map(async (channel) => ((await cache.get(modelId, { layer, channel }, recipe)) ? { channel, rel: cacheRel(place, cache.file(modelId, { layer, channel }, recipe)) } : null)));
  return found.filter((f): f is { channel: number; rel: string } => f !== null);
}

/** Progress reports for a feature render, with a live JPEG of its first picture now and then. */
function reporter(spec: InspectJobSpec, ctx: InspectJobContext, what: string, where: () => string): (p: FeatureProgress) => void {
  let last = -Infinity;
  let latest: ProgressMessage | null = null;
  return (p) => {
    latest = { type: 'progress', jobId: spec.jobId, done: p.done, total: p.total, label: `${what} · step ${p.step + 1}/${p.steps}${where()}`, elapsedMs: p.elapsedMs, etaMs: p.etaMs };
    ctx.onProgress(latest);
    const now = performance.now();
    if (now - last < ctx.previewIntervalMs) return;
    last = now;
    const first = p.preview()[0];
    // The JPEG rides on the newest numbers when it is ready, so progress never steps back.
    if (first) void jpeg(first, 80).then((preview) => latest && ctx.onProgress({ ...latest, preview }));
  };
}

/** A channel grid's progress, with every picture of the batch as it stands now and then (tiles grow in place). */
function tileReporter(spec: InspectJobSpec, ctx: InspectJobContext, what: string, where: () => string): (p: FeatureProgress) => void {
  let last = -Infinity;
  return (p) => {
    const message: ProgressMessage = { type: 'progress', jobId: spec.jobId, done: p.done, total: p.total, label: `${what} · step ${p.step + 1}/${p.steps}${where()}`, elapsedMs: p.elapsedMs, etaMs: p.etaMs };
    ctx.onProgress(message);
    const now = performance.now();
    if (now - last < ctx.previewIntervalMs) return;
    last = now;
    const images = p.preview();
    const channels = p.targets.map((t) => t.channel);
    void Promise.all(images.map(async (img, i) => ({ index: channels[i]!, jpeg: await jpeg(img, 75) }))).then((tiles) => {
      const placed = tiles.filter((t) => t.index !== undefined);
      // The first picture is also the job's one live preview, as for every other job.
      ctx.onProgress({ ...message, ...(tiles[0] ? { preview: tiles[0].jpeg } : {}), tiles: placed });
    });
  };
}

export async function runInspectJob(spec: InspectJobSpec, ctx: InspectJobContext): Promise<JobOutput> {
  const { model } = ctx;
  const task = spec.task;
  // Feature images' gradients go to the window device when it is chosen; an image probe is forward passes only, here.
  const onWindow = task.op !== 'image' ? ctx.windowTiles : undefined;
  if (ctx.windowTiles && !onWindow) ctx.onDevice?.(model.device?.device ?? 'cpu', `${model.accelerator ?? 'the CPU'} (the window device computes gradients only)`);
  const device = featureDevice(spec.cache, model, onWindow, ctx.onDevice);
  const { cache, where } = device;
  const route = device.tiles ? { pool: device.tiles } : {};
  if (task.op === 'grid') {
    const recipe = recipeOf(task.recipe);
    const rels: string[] = [];
    const targets = task.channels.map((channel) => ({ layer: task.layer, channel }));
    await visualizeMany(model, targets, recipe, {
      cache,
      signal: ctx.signal,
      // The grid's images spread over the host's worker threads by the engine's layout rule, or go to the window.
      ...(ctx.pools ? { pools: ctx.pools } : {}),
      ...route,
      onProgress: tileReporter(spec, ctx, `${task.layer} channels`, where),
      onImage: (t, _image, fromCache) => {
        const rel = cacheRel(spec.cache, fromCache ? cache.file(model.id, t, recipe) : cache.stored(model.id, t, recipe));
        rels.push(rel);
        ctx.onProgress({ type: 'progress', jobId: spec.jobId, done: rels.length, total: targets.length, label: `${rels.length}/${targets.length} channels`, elapsedMs: 0, etaMs: null, frame: { index: t.channel!, rel } });
      },
    });
    return { kind: 'inspect', rels, findings: { layer: task.layer } };
  }
  if (task.op === 'channel') {
    const recipe = recipeOf(task.recipe);
    const target = { layer: task.layer, channel: task.channel };
    let image: RgbImage | null = await cache.get(model.id, target, recipe);
    let file = cache.file(model.id, target, recipe);
    if (!image) {
      image = await visualize(model, target, recipe, { signal: ctx.signal, onProgress: reporter(spec, ctx, `${task.layer} channel ${task.channel}`, where), ...route });
      file = await cache.put(model.id, target, recipe, image);
    }
    ctx.signal.throwIfAborted();
    const neighbours = strongestNeighbours(model, image, task.layer, task.channel, task.neighbours);
    return { kind: 'inspect', rels: [cacheRel(spec.cache, file)], findings: { layer: task.layer, channel: task.channel, neighbours } };
  }
  const input = await scaledInput(task.inputPath, 512, task.inputName);
  ctx.onProgress({ type: 'progress', jobId: spec.jobId, done: 0, total: 1, label: `${task.layer}: reading the image`, elapsedMs: 0, etaMs: null });
  const maps = featureMaps(model, input, task.layer, { maxSide: 512 });
  await mkdir(task.out.dir, { recursive: true });
  const top = [];
  for (const { channel, mean } of topChannels(maps.means, task.top)) {
    const plane = channelPlane(maps, channel);
    // From the map's own low to high: where in the image the channel responds, not how much overall.
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of plane) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const picture = colourise(plane, maps.width, maps.height, lo, hi > lo ? hi : lo + 1e-6);
    const raw = Buffer.from(Uint8ClampedArray.from(picture.rgb).buffer);
    // Smoothly up to the size the model saw, so the map lies over the image without blocks.
    const png = await sharp(raw, { raw: { width: maps.width, height: maps.height, channels: 3 } }).resize(maps.inputWidth, maps.inputHeight, { kernel: 'cubic' }).png().toBuffer();
    const name = `map-${channel}.png`;
    await writeFileAtomic(join(task.out.dir, name), png);
    top.push({ channel, mean, mapRel: `${task.out.rel}/${name}` });
  }
  return { kind: 'inspect', rels: [], findings: { layer: task.layer, top } };
}
