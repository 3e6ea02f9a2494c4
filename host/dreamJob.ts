// One dream job inside the engine worker: scale the input, dream with progress and throttled
// previews, then encode the result PNG (recipe embedded) and a thumbnail.
import { encodePng } from '../engine/io/image.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { dreamToEnd, type DreamProgress } from '../engine/render/dream.ts';
import type { PoolKeeper } from '../engine/parallel/poolKeeper.ts';
import { deviceMetadata, metadataText } from '../engine/render/metadata.ts';
import { assetsText, dreamAssets } from '../engine/io/assets.ts';
import { jpeg, scaledInput, thumbnail } from './pictures.ts';
import type { DreamJobSpec, JobOutput, ProgressMessage } from './protocol.ts';
import { windowAccelerator, WindowTileSource, type WindowTileClient } from './windowTiles.ts';

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
  let where = '';
  const cpu = ctx.model.accelerator ?? null;
  const onWindow = ctx.windowTiles
    ? new WindowTileSource(ctx.windowTiles, ctx.model, (reason) => {
        where = ` · on the CPU (the window device stopped: ${reason})`;
        ctx.onDevice?.(ctx.model.device?.device ?? 'cpu', `${cpu ?? 'the CPU'} (the window device stopped: ${reason})`);
      })
    : undefined;
  if (onWindow) {
    where = " · on the window's GPU";
    // Each job tries the window afresh: the badge says so again after an earlier job fell back.
    ctx.onDevice?.('window', windowAccelerator(cpu));
  }
  const pool = onWindow ?? (await ctx.pools?.forJob(input.width, input.height, spec.recipe.tileSize));
  const onProgress = async (p: DreamProgress): Promise<void> => {
    const now = performance.now();
    const lastOfOctave = p.step === p.steps - 1;
    let preview: Uint8Array | undefined;
    if (now - lastPreview >= ctx.previewIntervalMs || lastOfOctave) {
      preview = await jpeg(p.preview(), 82);
      lastPreview = now;
    }
    const { done, total, elapsedMs, etaMs } = p;
    ctx.onProgress({ type: 'progress', jobId: spec.jobId, done, total, label: `${dreamLabel(p)}${where}`, elapsedMs, etaMs, ...(preview ? { preview } : {}) });
  };
  const result = await dreamToEnd(ctx.model, input, spec.recipe, { signal: ctx.signal, onProgress, assets: dreamAssets(spec.assets ?? []), ...(pool ? { pool } : {}), ...(onWindow ? { poolEveryStep: true } : {}) });
  ctx.signal.throwIfAborted();
  const alpha = input.alpha && result.width === input.width && result.height === input.height ? input.alpha : null;
  const device = onWindow ? onWindow.describe() : deviceMetadata(ctx.model);
  const meta = { app: 'reverie' as const, appVersion: ctx.appVersion, backend: ctx.backend, ...deviceMetadata(ctx.model), ...device, input: spec.inputName, createdAt: new Date().toISOString(), recipe: spec.recipe };
  // The PNG carries the guide (and masks) too, so reverie dream --recipe-from reproduces it.
  const png = await encodePng({ ...result, alpha }, { ...metadataText(meta), ...(await assetsText(spec.assets ?? [])) });
  const thumb = await thumbnail(png);
  return { kind: 'dream', png, thumb, width: result.width, height: result.height, elapsedMs: performance.now() - started, backend: ctx.backend, route: pool?.lastRoute ?? ctx.model.lastRoute ?? 'tfjs', ...(device.device ? { device: device.device } : {}), ...(device.deviceLabel ? { deviceLabel: device.deviceLabel } : {}) };
}
