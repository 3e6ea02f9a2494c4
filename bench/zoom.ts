// Zoom figures as JSON (stdout and bench/out/zoom.json): how far colours drift over a 200-frame zoom at
// 96x96 with and without colour anchoring, and seconds per dreamed zoom frame at 512x512.
//   node --import tsx bench/zoom.ts [--backend wasm] [--frames 200] [--skip-drift] [--skip-speed]
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { decodeImage } from '../engine/io/image.ts';
import { DEFAULT_RECIPE, type Recipe } from '../engine/recipe/recipe.ts';
import { createZoomProject, runZoomProject } from '../engine/animate/zoomRun.ts';
import { colorDrift, colorStats } from '../engine/animate/stability.ts';
import type { ZoomSettings } from '../engine/project/manifest.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { RgbImage } from '../engine/shared/image.ts';
import { PoolKeeper } from '../engine/parallel/poolKeeper.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, frames: { type: 'string' }, 'skip-drift': { type: 'boolean' }, 'skip-speed': { type: 'boolean' } } });
const PHOTO = new URL('../assets/examples/cat.jpg', import.meta.url).pathname;

async function photo(size: number): Promise<RgbImage> {
  const png = await sharp(PHOTO).resize(size, size, { fit: 'cover' }).png().toBuffer();
  const { width, height, rgb } = await decodeImage(png);
  return { width, height, rgb };
}

const settings = (frames: number, anchorColors: number): ZoomSettings => ({ frames, tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors, keyframes: null });

async function zoomRun(model: DreamModel, backend: string, input: RgbImage, recipe: Recipe, s: ZoomSettings, pools?: PoolKeeper) {
  const dir = await mkdtemp(join(tmpdir(), 'reverie-bench-zoom-'));
  try {
    await createZoomProject(dir, { input, source: 'cat.jpg', recipe, settings: s, backend, appVersion: 'bench' });
    // A pool (when the layout wants one) starts before the clock, as the app keeps one warm.
    await pools?.forJob(input.width, input.height, recipe.tileSize);
    const started = performance.now();
    const result = await runZoomProject(model, dir, pools ? { pools } : {});
    const stats = await Promise.all(result.manifest.frames.map(async (f) => colorStats(await decodeImage(join(dir, f.file)))));
    return { seconds: (performance.now() - started) / 1000, frames: result.manifest.frames, stats };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
const model = await loadDreamModel('inception_v3');
const report: Record<string, unknown> = { date: new Date().toISOString(), backend, node: process.version, model: model.id };

if (!values['skip-drift']) {
  const frames = Number(values.frames ?? 200);
  const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps: 1, octaves: 1 };
  const input = await photo(96);
  const runs: Record<string, unknown> = {};
  for (const anchor of [0, 0.5, 1]) {
    const run = await zoomRun(model, backend, input, recipe, settings(frames, anchor));
    runs[`anchorColors${anchor}`] = { ...colorDrift(run.stats), frame0: { mean: run.stats[0]!.mean.map(round), std: run.stats[0]!.std.map(round) }, seconds: round(run.seconds) };
  }
  report['drift'] = {
    settings: { size: '96x96', frames, zoom: 1.05, layers: 'mixed3', steps: 1, octaves: 1, stepSize: recipe.stepSize, blend: 0, input: 'assets/examples/cat.jpg' },
    units: '0..255 per channel (R, G, B); deviation of each frame from frame 0',
    ...runs,
  };
}

if (!values['skip-speed']) {
  // The zoom command's default dreaming per frame: one octave of 5 steps on mixed3 + mixed5, under the
  // engine's layout (as the CLI and the app run it); at 256 px tiles (the zoom default: four tiles per
  // frame, across workers) and at the dream default's 512 px (one tile per frame, in this thread).
  const pools = new PoolKeeper({ model: model.id, backend });
  const frames = 4;
  const input = await photo(512);
  const speed: Record<string, unknown> = {};
  for (const tileSize of [512, 256]) {
    const recipe: Recipe = { ...DEFAULT_RECIPE, steps: 5, octaves: 1, tileSize };
    const cpu = process.cpuUsage();
    const run = await zoomRun(model, backend, input, recipe, settings(frames, 0), pools);
    const used = process.cpuUsage(cpu);
    // Frame 0 also pays for warm-up (kernels, first allocations); time the frames after it.
    const later = run.frames.slice(1).map((f) => f.ms / 1000);
    speed[`tile${tileSize}`] = {
      layout: pools.layoutFor(512, 512, tileSize),
      secondsPerDreamedFrame: round(later.reduce((a, b) => a + b, 0) / later.length),
      secondsPerFrame: later.map(round),
      firstFrameSeconds: round(run.frames[0]!.ms / 1000),
      cpuSecondsAllFrames: round((used.user + used.system) / 1e6),
    };
  }
  await pools.close();
  report['speed512'] = { settings: { size: '512x512', layers: 'mixed3,mixed5', steps: 5, octaves: 1, zoom: 1.05, framesTimed: frames - 1 }, ...speed };
}

model.dispose();
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/zoom.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
