// A zoom run over a project folder: dream a frame, zoom into it, dream again. State lives on disk only:
// every frame continues from the decoded PNG of its source frame, in an uninterrupted run too, so a run
// resumed after a kill or a cancel reads the same 8-bit pixels and makes the same frames.
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeImage, encodePng } from '../io/image.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import type { DreamModel } from '../shared/model.ts';
import { checkRecipeAgainstModel, dreamToEnd } from '../render/dream.ts';
import type { RgbImage } from '../shared/image.ts';
import { deviceMetadata, metadataText } from '../render/metadata.ts';
import type { Recipe } from '../recipe/recipe.ts';
import { MANIFEST_VERSION, type FrameRecord, type ZoomManifest, type ZoomSettings } from '../project/manifest.ts';
import { ProjectError } from '../project/errors.ts';
import { createProjectFolder } from '../project/create.ts';
import { assertNotBusy, checkFramesOnDisk, readRecordedFrame, readZoomManifest, removeStaleTemps, sha256, writeFrame, writeManifest } from '../project/store.ts';
import { anchorColors, blendImages, colorStats } from './stability.ts';
import { frameRecipe, planFrame, type FramePlan } from './zoomPlan.ts';
import { ZoomClock, type ZoomProgress } from './zoomProgress.ts';
import { warpImage } from './zoomPath.ts';
import type { PoolKeeper } from '../parallel/poolKeeper.ts';
import type { TileGradientSource } from '../render/tiles.ts';
import type { DreamAssets } from '../render/termGroups.ts';

// In a subfolder, so `reverie video PROJECT_DIR` sees only the numbered frames.
export const INPUT_FILE = 'source/input.png';

export interface CreateZoomOptions {
  input: RgbImage;
  /** The input's original name, for the record. */
  source: string;
  recipe: Recipe;
  settings: ZoomSettings;
  backend: string;
  appVersion: string;
}

/** Makes a new project folder (absent or empty): the input as PNG and a manifest with no frames yet.
 * Both are written before the folder takes its name, so a kill never leaves a project without them. */
export async function createZoomProject(dir: string, o: CreateZoomOptions): Promise<ZoomManifest> {
  return createProjectFolder(dir, 'project', async (building) => {
    const png = await encodePng({ ...o.input, alpha: null });
    await mkdir(join(building, dirname(INPUT_FILE)));
    await writeFileAtomic(join(building, INPUT_FILE), png);
    const decoded = await decodeImage(png, { name: INPUT_FILE });
    const now = new Date().toISOString();
    const manifest: ZoomManifest = {
      version: MANIFEST_VERSION,
      kind: 'zoom',
      app: 'reverie',
      appVersion: o.appVersion,
      createdAt: now,
      updatedAt: now,
      status: 'new',
      pid: null,
      error: null,
      backend: o.backend,
      input: { file: INPUT_FILE, source: basename(o.source), width: decoded.width, height: decoded.height },
      seed: o.recipe.seed,
      recipe: o.recipe,
      settings: o.settings,
      anchor: null,
      frames: [],
    };
    await writeManifest(building, manifest);
    return manifest;
  });
}

export interface RunZoomOptions {
  signal?: AbortSignal;
  onProgress?: (p: ZoomProgress) => void;
  onFrame?: (frame: FrameRecord, manifest: ZoomManifest) => void;
  /** A new frame target (extends a finished run); null runs until cancelled. */
  frames?: number | null;
  /** Discard frames after this one (-1: all) and render them again, e.g. after one was deleted. */
  rerenderFrom?: number;
  appVersion?: string;
  /** Worker threads for tiled frames, as the engine's layout decides (absent: tiles run in this thread). */
  pools?: PoolKeeper;
  /** Where tile gradients go instead (a render farm, the app window's GPU); takes the place of `pools`. */
  tiles?: TileGradientSource;
  /** `tiles` is a device (the app window's GPU, the CPU behind it): single-tile frames go there too, and
   * each dream frame records where its tiles ran. Absent, `tiles` is a farm and frames record 'farm'. */
  tilesDevice?: { frameDevice(): FrameDevice };
  /** Where `tiles` (not a device: a render farm) computes, written into each dream frame's PNG and record. */
  tilesPlace?: FrameDevice;
  /** Masks and guide the recipe names (a project keeps them in its assets/ folder). */
  assets?: DreamAssets;
}

type FrameDevice = ReturnType<typeof deviceMetadata> & { device: string };

export interface ZoomRunResult {
  status: 'complete' | 'cancelled';
  /** Frames on disk now, and how many this call made. */
  frames: number;
  made: number;
  manifest: ZoomManifest;
}

/** Objectives that keyframes switch to must exist before the first frame is spent. */
function checkObjectives(model: DreamModel, m: ZoomManifest): void {
  checkRecipeAgainstModel(model, m.recipe);
  for (const key of m.settings.keyframes?.keys ?? []) {
    if (key.layers || key.channels) checkRecipeAgainstModel(model, { ...m.recipe, layers: key.layers ?? [], channels: key.channels ?? [] });
  }
}

async function loadSource(dir: string, m: ZoomManifest, index: number): Promise<RgbImage> {
  let data: Buffer;
  if (index >= 0) {
    data = await readRecordedFrame(dir, m, index);
  } else {
    try {
      data = await readFile(join(dir, m.input.file));
    } catch {
      throw new ProjectError(dir, `${m.input.file}, the project's input image, is missing; the run cannot continue without it.`);
    }
  }
  const { width, height, rgb } = await decodeImage(data, { name: join(dir, index < 0 ? m.input.file : m.frames[index]!.file) });
  return { width, height, rgb };
}

async function makeFrame(model: DreamModel, m: ZoomManifest, plan: FramePlan, source: RgbImage, o: RunZoomOptions & { pool: TileGradientSource | undefined; progress: (step: number, steps: number) => void }): Promise<RgbImage> {
  const moved = plan.index === 0 ? source : warpImage(source, plan.transform);
  if (plan.kind === 'tween' || plan.params.steps === 0) return moved;
  const recipe = frameRecipe(m.recipe, plan);
  let out = await dreamToEnd(model, moved, recipe, { ...(o.signal ? { signal: o.signal } : {}), ...(o.pool ? { pool: o.pool } : {}), ...(o.tilesDevice ? { poolEveryStep: true } : {}), ...(o.assets ? { assets: o.assets } : {}), onProgress: (p) => o.progress(p.done, p.total) });
  if (plan.index > 0 && plan.params.blend > 0) out = blendImages(out, moved, plan.params.blend);
  if (plan.index > 0 && plan.params.anchorColors > 0 && m.anchor) out = anchorColors(out, m.anchor, plan.params.anchorColors);
  return out;
}

/**
 * Renders the project's remaining frames, writing each frame and then the manifest atomically.
 * Cancelling (signal) marks the manifest 'cancelled' and resolves; `runZoomProject` again resumes.
 */
export async function runZoomProject(model: DreamModel, dir: string, o: RunZoomOptions = {}): Promise<ZoomRunResult> {
  const m = await readZoomManifest(dir);
  assertNotBusy(dir, m);
  await removeStaleTemps(dir);
  if (o.rerenderFrom !== undefined) {
    if (!Number.isInteger(o.rerenderFrom) || o.rerenderFrom < -1 || o.rerenderFrom >= m.frames.length) {
      throw new ProjectError(dir, `cannot re-render from frame ${o.rerenderFrom}: the project has frames 0-${m.frames.length - 1}.`);
    }
    m.frames.length = o.rerenderFrom + 1;
    if (m.frames.length === 0) m.anchor = null;
  } else {
    await checkFramesOnDisk(dir, m);
  }
  if (o.frames !== undefined) {
    if (o.frames !== null && o.frames < m.frames.length) throw new ProjectError(dir, `already has ${m.frames.length} frames; --frames must be at least that.`);
    m.settings.frames = o.frames;
  }
  checkObjectives(model, m);
  const target = m.settings.frames;
  const done = (status: ZoomRunResult['status'], made: number): ZoomRunResult => ({ status, frames: m.frames.length, made, manifest: m });
  if (target !== null && m.frames.length >= target) {
    m.status = 'complete';
    m.pid = null;
    await writeManifest(dir, m);
    return done('complete', 0);
  }
  Object.assign(m, { status: 'running', pid: process.pid, error: null });
  await writeManifest(dir, m);
  const { width, height } = m.input;
  const clock = new ZoomClock(target, m.settings.tween + 1);
  let made = 0;
  try {
    const pool = o.tiles ?? (await o.pools?.forJob(width, height, m.recipe.tileSize));
    let sourceIndex = Number.NaN;
    let source: RgbImage | undefined;
    for (let f = m.frames.length; target === null || f < target; f++) {
      o.signal?.throwIfAborted();
      const started = performance.now();
      const plan = planFrame(m.recipe, m.settings, f, width, height);
      if (plan.source !== sourceIndex || !source) {
        source = await loadSource(dir, m, plan.source);
        sourceIndex = plan.source;
      }
      const progress = (step: number, steps: number): void => o.onProgress?.(clock.progress(f, plan.kind, step, steps));
      progress(0, plan.kind === 'dream' ? plan.params.steps : 0);
      const image = await makeFrame(model, m, plan, source, { ...o, pool, progress });
      // Frames whose tiles ran elsewhere (a render farm, the window) were made on that device, not this one.
      const ranOn = plan.kind === 'dream' ? (o.tilesDevice?.frameDevice() ?? (o.tiles ? o.tilesPlace : undefined)) : undefined;
      const meta = metadataText({ app: 'reverie', appVersion: o.appVersion ?? m.appVersion, backend: m.backend, ...deviceMetadata(model), ...ranOn, input: m.input.source, createdAt: new Date().toISOString(), recipe: frameRecipe(m.recipe, plan) });
      const png = await encodePng({ ...image, alpha: null }, meta);
      const file = await writeFrame(dir, f, png);
      // Continue from exactly what is on disk: the 8-bit pixels a resumed run would read back.
      const decoded = await decodeImage(png, { name: file });
      if (plan.kind === 'dream') {
        source = { width, height, rgb: decoded.rgb };
        sourceIndex = f;
      }
      if (f === 0) m.anchor = colorStats(decoded);
      const ms = Math.round(performance.now() - started);
      const ran = plan.kind === 'dream' ? (ranOn?.device ?? (o.tiles ? 'farm' : (model.device?.device ?? 'tfjs'))) : undefined;
      const record: FrameRecord = { index: f, file, kind: plan.kind, status: 'done', seed: plan.seed, params: plan.params, sha256: sha256(png), ms, ...(ran ? { device: ran } : {}) };
      m.frames.push(record);
      await writeManifest(dir, m);
      clock.record(plan.kind, ms);
      made++;
      o.onFrame?.(record, m);
    }
  } catch (err) {
    const cancelled = o.signal?.aborted === true;
    Object.assign(m, { status: cancelled ? 'cancelled' : 'failed', pid: null, error: cancelled ? null : (err as Error).message });
    // If even this write fails (full disk), the previous manifest is still whole and lists every frame.
    await writeManifest(dir, m).catch(() => undefined);
    if (cancelled) return done('cancelled', made);
    throw err;
  }
  Object.assign(m, { status: 'complete', pid: null });
  await writeManifest(dir, m);
  return done('complete', made);
}
