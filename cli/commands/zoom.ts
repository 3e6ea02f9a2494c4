// `reverie zoom IN -o PROJECT_DIR --frames N`: an infinite-zoom animation as numbered PNGs plus a manifest;
// Ctrl-C marks the run cancelled and `reverie resume PROJECT_DIR` continues it with the same frames.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { decodeImage, DEFAULT_MAX_PIXELS } from '../../engine/io/image.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { loadSettings } from '../../engine/settings/settings.ts';
import type { DeviceChoice } from '../../engine/accel/providers.ts';
import { applyDevice, deviceFields, deviceFlagHelp, deviceFlagSpec, onGpu, parseDeviceFlag, settingDevice } from '../device.ts';
import { checkParam, KeyframeError, parseKeyframes, type Keyframes } from '../../engine/recipe/keyframes.ts';
import { PoolKeeper } from '../../engine/parallel/poolKeeper.ts';
import { ZOOM_FRAME_RECIPE } from '../../engine/animate/zoomPlan.ts';
import { createZoomProject, runZoomProject, type RunZoomOptions, type ZoomRunResult } from '../../engine/animate/zoomRun.ts';
import type { ZoomSettings } from '../../engine/project/manifest.ts';
import { readZoomManifest } from '../../engine/project/store.ts';
import { recipeFlagSpec, recipeFromFlags, type RecipeFlags } from '../recipeOptions.ts';
import { parseRecipe, recipeAssets } from '../../engine/recipe/recipe.ts';
import { dreamAssets, loadAssets, saveAssets, type Asset } from '../../engine/io/assets.ts';
import type { FarmTilePool } from '../../host/farm/tilePool.ts';
import { frameFarmFrom, frameFarmPlace, openFrameFarm, type FrameFarmChoice } from '../farm/frameFarm.ts';
import { farmFlagHelp, farmFlagSpec } from '../farm/runner.ts';
import { formatDuration, jsonLinesSink, terminalSink, type ProgressSink } from '../progress.ts';
import { appVersion, CancelledError, firstFrameNote, maxPixelsFlag, UsageError, withInterrupt } from '../shared.ts';

export const zoomFlagHelp = `  --zoom F                    scale per output frame (default 1.05; below 1 zooms out)
  --rotate DEG                degrees per output frame, clockwise (default 0)
  --center X,Y                the point zoomed into, 0..1 of the image (default 0.5,0.5)
  --blend B                   mix each dreamed frame with the zoomed previous one, 0..1 (default 0)
  --anchor-colors S           pull each frame's colour mean/spread to frame 0's, 0..1 (default 0)
  --tween K                   K pure zoom frames between dreamed frames (default 0)
  --keyframes FILE.json       change zoom, rotate, centerX/Y, steps, stepSize, blend, anchorColors,
                              layers, channels over time: {"keys": [{"frame": 0, "zoom": 1.02},
                              {"frame": 40, "zoom": 1.08, "layers": "mixed5"}]} ("interpolation": "ease")
  --steps N / --octaves N     dream per frame (default 5 steps, 1 octave, --tile 256: a 512 px frame
                              runs as four tiles across the cores); other recipe flags as in dream`;

export const zoomHelp = `reverie zoom IN -o PROJECT_DIR --frames N [options]

Dreams IN, zooms into the result, dreams again, N output frames in all. PROJECT_DIR (new or empty)
receives frame_00000.png… and manifest.json after every frame; continue a killed or cancelled run with
reverie resume PROJECT_DIR, and make a video with reverie video PROJECT_DIR -o out.mp4.
${zoomFlagHelp}
  --layers, --channel, --step-size, --seed, --recipe, --model …   as in reverie dream
  --backend B                 auto | tensorflow | wasm | cpu (default auto)
${deviceFlagHelp}
${farmFlagHelp}
                              (the tiles of each frame's steps become farm jobs)
  --json                      JSON-lines progress and a "frame" event per frame on stdout`;

export const zoomFlagSpec = {
  zoom: { type: 'string' },
  rotate: { type: 'string' },
  center: { type: 'string' },
  blend: { type: 'string' },
  'anchor-colors': { type: 'string' },
  tween: { type: 'string' },
  keyframes: { type: 'string' },
} as const;

type ZoomFlags = { [K in keyof typeof zoomFlagSpec]?: string | undefined };

function number(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${v}".`);
  return n;
}

export async function zoomSettingsFromFlags(flags: ZoomFlags): Promise<Omit<ZoomSettings, 'frames'>> {
  const [cx, cy, ...rest] = (flags.center ?? '0.5,0.5').split(',');
  if (cx === undefined || cy === undefined || rest.length) throw new UsageError(`--center expects X,Y (fractions of the image, e.g. 0.3,0.7), got "${flags.center}".`);
  let keyframes: Keyframes | null = null;
  if (flags.keyframes) {
    const text = await readFile(flags.keyframes, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new KeyframeError(`${flags.keyframes}: cannot read the keyframes file (${err.code ?? err.message}).`);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new KeyframeError(`${flags.keyframes}: not valid JSON (${(err as Error).message}).`);
    }
    keyframes = parseKeyframes(json, flags.keyframes);
  }
  const tween = number('tween', flags.tween ?? '0');
  if (!Number.isInteger(tween) || tween < 0 || tween > 1000) throw new UsageError(`--tween expects a whole number from 0 to 1000, got "${flags.tween}".`);
  const where = 'options';
  return {
    tween,
    zoom: checkParam(where, 'zoom', number('zoom', flags.zoom ?? '1.05')),
    rotate: checkParam(where, 'rotate', number('rotate', flags.rotate ?? '0')),
    centerX: checkParam(where, 'centerX', number('center', cx)),
    centerY: checkParam(where, 'centerY', number('center', cy)),
    blend: checkParam(where, 'blend', number('blend', flags.blend ?? '0')),
    anchorColors: checkParam(where, 'anchorColors', number('anchor-colors', flags['anchor-colors'] ?? '0')),
    keyframes,
  };
}

/** Zoom frames want light dreaming: unless told otherwise, one octave of 5 steps per frame on 256 px tiles. */
export async function zoomRecipeFromFlags(flags: RecipeFlags, assets: Asset[] = []) {
  const recipe = await recipeFromFlags(flags, assets);
  const fromFile = flags.recipe !== undefined || flags['recipe-from'] !== undefined;
  if (!fromFile && flags.steps === undefined) recipe.steps = ZOOM_FRAME_RECIPE.steps;
  if (!fromFile && flags.octaves === undefined && flags['pattern-size'] === undefined) {
    recipe.octaves = ZOOM_FRAME_RECIPE.octaves;
    delete recipe.patternSize;
  }
  if (!fromFile && flags.tile === undefined) recipe.tileSize = ZOOM_FRAME_RECIPE.tileSize;
  return parseRecipe(recipe, 'options');
}

export function sinkFor(json: boolean | undefined): ProgressSink {
  return json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
}

/** Renders a project folder with a progress bar / JSON lines; Ctrl-C leaves it cancelled and resumable. */
export async function renderProject(dir: string, sink: ProgressSink, o: { backend?: string | undefined; device?: DeviceChoice; frames?: number | null; rerenderFrom?: number; label?: string; farm?: FrameFarmChoice | undefined }): Promise<ZoomRunResult> {
  const m = await readZoomManifest(dir);
  // Resuming on the backend that made the first frames keeps the pixels identical.
  const backend = await initBackend((o.backend ?? (m.frames.length ? m.backend : 'auto')) as BackendChoice);
  if (m.frames.length && backend !== m.backend) sink.event('warning', { message: `Frames so far were made on ${m.backend}; continuing on ${backend}, so later frames may differ slightly from an uninterrupted run.` });
  const assets = dreamAssets(await loadAssets(dir, recipeAssets(m.recipe)));
  const model = await loadDreamModel(m.recipe.model);
  let result: ZoomRunResult;
  applyDevice(model, o.device ?? settingDevice((await loadSettings()).value.device));
  const pools = new PoolKeeper({ model: m.recipe.model, backend, ...(onGpu(model) ? { workers: 0 } : {}) });
  let farmPool: FarmTilePool | undefined;
  try {
    const ran = deviceFields(model);
    sink.event('model', { model: model.id, backend, ...ran, message: `Model ${model.id} on ${backend}, steps on ${ran.deviceLabel} (${m.input.width}x${m.input.height}), ${m.frames.length} frames done` });
    const options: RunZoomOptions = {
      appVersion: appVersion(),
      assets,
      onProgress: (p) => {
        const of = p.frames === null ? ' (Ctrl-C stops)' : `/${p.frames}`;
        const steps = p.kind === 'dream' ? ` step ${p.step}/${p.steps}` : ' tween';
        sink.update(p.fraction ?? 0, `${o.label ?? ''}frame ${p.frame + 1}${of}${steps}`, p.etaMs, { frame: p.frame, kind: p.kind, step: p.step, steps: p.steps, device: model.device?.device ?? 'tfjs' });
      },
      onFrame: (f) => sink.event('frame', { index: f.index, file: f.file, kind: f.kind, ms: f.ms }),
    };
    if (o.frames !== undefined) options.frames = o.frames;
    if (o.rerenderFrom !== undefined) options.rerenderFrom = o.rerenderFrom;
    result = await withInterrupt(async (signal) => {
      farmPool = o.farm ? await openFrameFarm(o.farm, m.recipe.model, { ...m.input, tileSize: m.recipe.tileSize }, sink, signal, dir) : undefined;
      return runZoomProject(model, dir, { ...options, pools, signal, ...(farmPool && o.farm ? { tiles: farmPool, tilesPlace: frameFarmPlace(o.farm) } : {}) });
    });
  } finally {
    await farmPool?.close();
    await pools.close();
    model.dispose();
  }
  return result;
}

export function cancelled(dir: string, r: ZoomRunResult): CancelledError {
  return new CancelledError(`Cancelled after ${r.frames} frames; the project is saved. Continue with: reverie resume ${dir}`);
}

/** 'absent', 'empty', or null for a folder that already holds something (never discarded). */
async function folderState(dir: string): Promise<'absent' | 'empty' | null> {
  return readdir(dir).then(
    (names) => (names.length === 0 ? 'empty' : null),
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'absent' : null),
  );
}

/** A new project whose run failed before its first frame (unknown layer, bad model, image too small,
 * disk full) is removed, so the corrected command can reuse the folder; one with frames is kept. */
async function discardUnstarted(dir: string, was: 'absent' | 'empty'): Promise<void> {
  const m = await readZoomManifest(dir).catch(() => null);
  if (m !== null && m.frames.length > 0) return;
  if (was === 'absent') return rm(dir, { recursive: true, force: true });
  for (const name of await readdir(dir).catch(() => [])) await rm(join(dir, name), { recursive: true, force: true });
}

export async function zoomCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...recipeFlagSpec, ...zoomFlagSpec, ...farmFlagSpec, out: { type: 'string', short: 'o' }, frames: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, 'max-pixels': { type: 'string' }, ...deviceFlagSpec },
  });
  const input = positionals[0];
  if (!input || positionals.length > 1) throw new UsageError('reverie zoom takes one input image.', zoomHelp);
  if (!values.out) throw new UsageError('Name the project folder with -o PROJECT_DIR.', zoomHelp);
  if (!values.frames) throw new UsageError('Say how many frames to make with --frames N.', zoomHelp);
  const frames = number('frames', values.frames);
  const farm = frameFarmFrom(values);
  if (!Number.isInteger(frames) || frames < 1) throw new UsageError(`--frames expects a whole number from 1, got "${values.frames}".`);
  const found: Asset[] = [];
  const recipe = await zoomRecipeFromFlags(values, found);
  const settings = await zoomSettingsFromFlags(values);
  const dir = resolve(values.out);
  const image = await decodeImage(input, { maxPixels: maxPixelsFlag(values['max-pixels'], DEFAULT_MAX_PIXELS) });
  const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
  const device = values.device === undefined ? undefined : parseDeviceFlag(values.device);
  const sink = sinkFor(values.json);
  const note = firstFrameNote(input, image.pages);
  if (note) sink.event('warning', note);
  const was = await folderState(dir);
  const started = performance.now();
  let result: ZoomRunResult;
  try {
    await createZoomProject(dir, { input: image, source: input, recipe, settings: { ...settings, frames }, backend, appVersion: appVersion() });
    // The project keeps the masks and guide its recipe names, so resume reproduces the frames.
    const named = new Set(recipeAssets(recipe));
    await saveAssets(dir, found.filter((a) => named.has(a.hash)));
    result = await renderProject(dir, sink, { backend, ...(device ? { device } : {}), farm });
  } catch (err) {
    if (was !== null) await discardUnstarted(dir, was).catch(() => undefined);
    throw err;
  }
  if (result.status === 'cancelled') throw cancelled(values.out, result);
  sink.done(`Wrote ${result.frames} frames to ${values.out} in ${formatDuration(performance.now() - started)}`, { project: dir, frames: result.frames, status: result.status });
}
