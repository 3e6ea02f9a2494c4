// One dream job inside the engine worker: scale the input, dream with progress and throttled
// previews, then encode the result PNG (recipe embedded) and a thumbnail.
import { encodePng } from '../engine/io/image.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { dreamToEnd, type DreamProgress } from '../engine/render/dream.ts';
import type { PoolKeeper } from '../engine/parallel/poolKeeper.ts';
import { deviceMetadata, metadataText } from '../engine/render/metadata.ts';
import { assetsText, dreamAssets } from '../engine/io/assets.ts';
import { tilesPerStep } from '../engine/parallel/layout.ts';
import { jpeg, scaledInput, thumbnail } from './pictures.ts';
import type { DreamJobSpec, JobOutput, ProgressMessage } from './protocol.ts';
import { openWindowRoute, type WindowTileClient } from './windowTiles.ts';
import { farmPlace } from './farm/place.ts';
import { farmWhere, farmWorkers } from './zoomFarm.ts';

export interface JobContext {
  backend: string;
  appVersion: string;
  previewIntervalMs: number;
  signal: AbortSignal;
  onProgress(message: ProgressMessage): void;
  /** Worker threads for tiled jobs, as the engine's layout decides (absent: tiles run in this thread). */
  pools?: PoolKeeper;
  /** Present when the Device setting is the app window: dream tiles go there, the CPU route behind. */
  windowTiles?: WindowTileClient;
  /** Tells the host where steps run now, when that changes (the engine badge follows it). */
  onDevice?(device: string, accelerator: string | null): void;
}

export interface DreamJobContext extends JobContext {
  model: DreamModel;
}

export function dreamLabel(p: Pick<DreamProgress, 'octave' | 'octaves' | 'step' | 'steps' | 'width' | 'height'>): string {
  return `octave ${p.octave + 1}/${p.octaves} · step ${p.step + 1}/${p.steps} · ${p.width}×${p.height}`;
}

export async function runDreamJob(spec: DreamJobSpec, ctx: DreamJobContext): Promise<JobOutput> {
  const started = performance.now();
  const input = await scaledInput(spec.inputPath, spec.maxSide, spec.inputName);
  ctx.signal.throwIfAborted();

  let lastPreview = -Infinity;
  // On the window device every tile goes to the window; when it cannot, the CPU route here takes over.
  // Sent to the farm instead: the tiles of each step go there (an image of one tile has nothing to
  // spread); the farm's code (BullMQ, ioredis) loads only when a dream asks for it.
  const tiled = tilesPerStep(input.width, input.height, spec.recipe.tileSize) > 1;
  // Each tile back from the farm sends the last progress again with the workers' new counts.
  let lastProgress: ProgressMessage | undefined;
  const onFarmTile = (): void => {
    if (lastProgress && farm) ctx.onProgress({ ...lastProgress, farm: farm.progress() });
  };
  const farm = spec.farm && tiled ? await (await import('./farm/dreamFarm.ts')).openDreamFarm(spec.farm, spec.recipe.model, ctx.signal, { onTile: onFarmTile }) : undefined;
  const route = ctx.windowTiles && !farm ? openWindowRoute(ctx.windowTiles, ctx.model, ctx.onDevice) : undefined;
  const onWindow = route?.tiles;
  const pool = farm ? undefined : (onWindow ?? (await ctx.pools?.forJob(input.width, input.height, spec.recipe.tileSize)));
  if (farm) {
    // Said before the first step comes back: with no worker online the tiles wait in the queue.
    const spread = farm.progress();
    lastProgress = { type: 'progress', jobId: spec.jobId, done: 0, total: 1, label: `tiles go to the farm${farmWhere(farm)}`, elapsedMs: 0, etaMs: null, farm: spread };
    ctx.onProgress(lastProgress);
  }
  const onProgress = async (p: DreamProgress): Promise<void> => {
    const now = performance.now();
    const lastOfOctave = p.step === p.steps - 1;
    let preview: Uint8Array | undefined;
    if (now - lastPreview >= ctx.previewIntervalMs || lastOfOctave) {
      preview = await jpeg(p.preview(), 82);
      lastPreview = now;
    }
    const { done, total, elapsedMs, etaMs } = p;
    const spread = farm?.progress();
    const label = spread ? `${dreamLabel(p)}${farmWorkers(spread.workers)}` : `${dreamLabel(p)}${route?.where() ?? ''}`;
    const message: ProgressMessage = { type: 'progress', jobId: spec.jobId, done, total, label, elapsedMs, etaMs, ...(spread ? { farm: spread } : {}) };
    ctx.onProgress(preview ? { ...message, preview } : message);
    // Repeated per farm tile without its preview (sent once is enough).
    if (spread) lastProgress = message;
  };
  let result;
  try {
    const tiles = pool ?? farm?.pool;
    result = await dreamToEnd(ctx.model, input, spec.recipe, { signal: ctx.signal, onProgress, assets: dreamAssets(spec.assets ?? []), ...(tiles ? { pool: tiles } : {}), ...(onWindow ? { poolEveryStep: true } : {}) });
  } finally {
    await farm?.close();
  }
  ctx.signal.throwIfAborted();
  const alpha = input.alpha && result.width === input.width && result.height === input.height ? input.alpha : null;
  // Tiles computed on the farm: the PNG and the gallery name it, not this machine's device.
  const device = onWindow ? onWindow.describe() : farm ? farmPlace(farm.progress().url) : deviceMetadata(ctx.model);
  const meta = { app: 'reverie' as const, appVersion: ctx.appVersion, backend: ctx.backend, ...deviceMetadata(ctx.model), ...device, input: spec.inputName, createdAt: new Date().toISOString(), recipe: spec.recipe };
  // The PNG carries the guide (and masks) too, so reverie dream --recipe-from reproduces it.
  const png = await encodePng({ ...result, alpha }, { ...metadataText(meta), ...(await assetsText(spec.assets ?? [])) });
  const thumb = await thumbnail(png);
  return { kind: 'dream', png, thumb, width: result.width, height: result.height, elapsedMs: performance.now() - started, backend: ctx.backend, route: pool?.lastRoute ?? ctx.model.lastRoute ?? 'tfjs', ...(device.device ? { device: device.device } : {}), ...(device.deviceLabel ? { deviceLabel: device.deviceLabel } : {}) };
}
