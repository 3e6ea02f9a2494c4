// Zoom renders inside the engine worker: a project's remaining frames, a short preview in a scratch
// project, and a ping-pong round (the latest painting's zoom project). Each frame is announced as
// it lands on disk; cancelling leaves the project resumable, as `reverie resume` would find it.
import { join } from 'node:path';
import { latestRoundProject } from '../engine/animate/session.ts';
import { createZoomProject, INPUT_FILE, runZoomProject } from '../engine/animate/zoomRun.ts';
import type { ZoomProgress } from '../engine/animate/zoomProgress.ts';
import { dreamAssets, loadAssets } from '../engine/io/assets.ts';
import { readZoomManifest } from '../engine/project/store.ts';
import { recipeAssets } from '../engine/recipe/recipe.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { JobContext } from './dreamJob.ts';
import { relPath } from './entries.ts';
import { openWindowRoute } from './windowTiles.ts';
import { scaledInput, writeThumbnail } from './pictures.ts';
import type { CreateZoomSpec, FarmChoice, JobOutput, ProjectPlace, SessionDreamSpec, ZoomJobSpec, ZoomPreviewSpec } from './protocol.ts';
import { farmPlace } from './farm/place.ts';
import { farmWhere, openFrameFarm } from './zoomFarm.ts';

export interface ZoomJobContext extends JobContext {
  model: DreamModel;
}

const PROGRESS_UNITS = 1000;

export function zoomLabel(p: ZoomProgress, prefix = ''): string {
  const of = p.frames === null ? '' : `/${p.frames}`;
  return `${prefix}frame ${p.frame + 1}${of} · ${p.kind === 'dream' ? `step ${p.step}/${p.steps}` : 'tween'}`;
}

export async function createProject(place: ProjectPlace, spec: CreateZoomSpec, backend: string, appVersion: string): Promise<void> {
  const input = await scaledInput(spec.inputPath, spec.maxSide, spec.inputName);
  await createZoomProject(place.dir, { input, source: spec.inputName, recipe: spec.recipe, settings: spec.settings, backend, appVersion });
  await writeThumbnail(join(place.dir, INPUT_FILE), place.thumb);
}

/** Runs a project to its target (or `frames`), reporting steps and frames; throws on cancel. */
async function render(jobId: string, dir: string, rel: string, ctx: ZoomJobContext, o: { frames?: number; prefix?: string; thumb: string; assetsDir?: string; farm?: FarmChoice | undefined }): Promise<{ frames: number; made: number; rels: string[] }> {
  let last = { done: 0, elapsedMs: 0, etaMs: null as number | null, label: 'starting' };
  const rels: string[] = [];
  // Masks and guides the recipe names, from the project's assets/ (a session keeps them in its own).
  const before = await readZoomManifest(dir);
  const named = recipeAssets(before.recipe);
  const assets = named.length ? dreamAssets(await loadAssets(o.assetsDir ?? dir, named)) : undefined;
  // Sent to the farm: every frame's tiles go there, as the CLI's zoom --farm (frames of one tile dream here).
  const farm = o.farm ? await openFrameFarm(o.farm, dir, before, ctx.signal) : undefined;
  // On the window device every frame's tiles go to the window, the CPU route behind it as in a dream.
  const route = ctx.windowTiles && !farm ? openWindowRoute(ctx.windowTiles, ctx.model, ctx.onDevice) : undefined;
  const tiles = route?.tiles;
  const where = (): string => (farm ? farmWhere(farm) : (route?.where() ?? ''));
  const spread = () => (farm ? { farm: farm.progress() } : {});
  if (farm) ctx.onProgress({ type: 'progress', jobId, total: PROGRESS_UNITS, ...last, label: `tiles go to the farm${where()}`, ...spread() });
  let result;
  try {
    result = await runZoomProject(ctx.model, dir, {
      ...(assets ? { assets } : {}),
      signal: ctx.signal,
      appVersion: ctx.appVersion,
      ...(farm ? { tiles: farm.pool, tilesPlace: farmPlace(farm.progress().url) } : tiles ? { tiles, tilesDevice: tiles } : ctx.pools ? { pools: ctx.pools } : {}),
      ...(o.frames !== undefined ? { frames: o.frames } : {}),
      onProgress: (p) => {
        last = { done: Math.round((p.fraction ?? 0) * PROGRESS_UNITS), elapsedMs: p.elapsedMs, etaMs: p.etaMs, label: `${zoomLabel(p, o.prefix)}${where()}` };
        ctx.onProgress({ type: 'progress', jobId, total: PROGRESS_UNITS, ...last, ...spread() });
      },
      onFrame: (f, m) => {
        const frameRel = relPath(rel, f.file);
        rels.push(frameRel);
        const done = m.settings.frames ? Math.round(((f.index + 1) / m.settings.frames) * PROGRESS_UNITS) : last.done;
        ctx.onProgress({ type: 'progress', jobId, total: PROGRESS_UNITS, ...last, done, frame: { index: f.index, rel: frameRel }, ...spread() });
      },
    });
  } finally {
    await farm?.close();
  }
  const m = result.manifest;
  await writeThumbnail(join(dir, m.frames.at(-1)?.file ?? INPUT_FILE), o.thumb);
  ctx.signal.throwIfAborted();
  return { frames: result.frames, made: result.made, rels };
}

export async function runZoomJob(spec: ZoomJobSpec, ctx: ZoomJobContext): Promise<JobOutput> {
  const r = await render(spec.jobId, spec.project.dir, spec.project.rel, ctx, { thumb: spec.project.thumb, farm: spec.farm, ...(spec.frames !== undefined ? { frames: spec.frames } : {}) });
  return { kind: 'zoom', frames: r.frames, made: r.made };
}

export async function runZoomPreview(spec: ZoomPreviewSpec, ctx: ZoomJobContext): Promise<JobOutput> {
  await createProject(spec.project, spec.create, ctx.backend, ctx.appVersion);
  const r = await render(spec.jobId, spec.project.dir, spec.project.rel, ctx, { thumb: spec.project.thumb, prefix: 'preview · ' });
  return { kind: 'preview', rels: r.rels };
}

export async function runSessionDream(spec: SessionDreamSpec, ctx: ZoomJobContext): Promise<JobOutput> {
  const { round, project, frames } = await latestRoundProject(spec.session.dir, ctx.backend);
  const rel = relPath(spec.session.rel, round.dream);
  const r = await render(spec.jobId, project, rel, ctx, { frames: frames + spec.frames, prefix: `round ${round.number} · `, thumb: spec.session.thumb, assetsDir: spec.session.dir, farm: spec.farm });
  return { kind: 'zoom', frames: r.frames, made: r.made };
}
