// One whole dream job as the CLI runs it (model load, decode, worker pool, dream, PNG encode), in its own
// process so its peak RSS (worker threads included) is this job's alone. Prints one JSON line with the
// breakdown of where the time went.
//   node --import tsx bench/wholeDream.ts --input IN.png --out OUT.png [--steps 10] [--octaves 4] [--workers N]
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { decodeImage, encodePng } from '../engine/io/image.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { PoolKeeper } from '../engine/parallel/poolKeeper.ts';
import { dreamToEnd, octaveSizes } from '../engine/render/dream.ts';
import { minimumInputSize } from '../engine/render/minimumSize.ts';
import { fromRange, normalisedStep, readRolledTile, resizeBilinear, toRange, writeRolledTile } from '../engine/render/pixels.ts';
import { DEFAULT_RECIPE, recipeObjective, type Recipe } from '../engine/recipe/recipe.ts';
import { tileGrid } from '../engine/render/tiles.ts';

const { values } = parseArgs({ options: { input: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' }, octaves: { type: 'string' }, workers: { type: 'string' }, backend: { type: 'string' }, tile: { type: 'string' } } });
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return Math.round((u.user + u.system) / 1000);
};
const ms = (t: number): number => Math.round(performance.now() - t);

const jobStarted = performance.now();
const jobCpu = process.cpuUsage();
const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
let t = performance.now();
const model = await loadDreamModel('inception_v3');
const modelLoadMs = ms(t);
t = performance.now();
const image = await decodeImage(values.input!);
const decodeMs = ms(t);
const recipe: Recipe = { ...DEFAULT_RECIPE, steps: Number(values.steps ?? DEFAULT_RECIPE.steps), octaves: Number(values.octaves ?? DEFAULT_RECIPE.octaves), tileSize: Number(values.tile ?? DEFAULT_RECIPE.tileSize) };
const pools = new PoolKeeper({ model: recipe.model, backend, ...(values.workers !== undefined ? { workers: Number(values.workers) } : {}) });
const layout = pools.layoutFor(image.width, image.height, recipe.tileSize);
t = performance.now();
const pool = await pools.forJob(image.width, image.height, recipe.tileSize);
const poolStartMs = ms(t);
const dreamCpu = process.cpuUsage();
t = performance.now();
const stepMs: number[] = [];
let last = performance.now();
const result = await dreamToEnd(model, { width: image.width, height: image.height, rgb: image.rgb }, recipe, {
  ...(pool ? { pool } : {}),
  onProgress: () => {
    stepMs.push(performance.now() - last);
    last = performance.now();
  },
});
const dreamMs = ms(t);
const dreamCpuMs = cpuMs(dreamCpu);
await pools.close();
t = performance.now();
const png = await encodePng({ width: result.width, height: result.height, rgb: result.rgb, alpha: null });
await writeFile(values.out!, png);
const encodeMs = ms(t);
const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
const totalMs = ms(jobStarted);
const totalCpuMs = cpuMs(jobCpu);

const sizes = octaveSizes(image.height, image.width, recipe.octaves, recipe.octaveScale, minimumInputSize(model, recipe.layers.map((l) => l.name)));
const overhead = measurePieces(model, sizes, recipe);
process.stdout.write(
  `${JSON.stringify({
    width: image.width,
    height: image.height,
    steps: recipe.steps,
    octaves: sizes.length,
    tileSize: recipe.tileSize,
    backend,
    accelerator: model.accelerator ?? null,
    layout,
    seconds: totalMs / 1000,
    cpuSeconds: totalCpuMs / 1000,
    maxRssMB,
    breakdownMs: { modelLoad: modelLoadMs, decode: decodeMs, poolStart: poolStartMs, dream: dreamMs, encodePng: encodeMs, slowestStep: Math.round(Math.max(...stepMs)), medianStep: Math.round(stepMs.sort((a, b) => a - b)[stepMs.length >> 1]!) },
    dreamCpuMs,
    // What the dream spends besides the model's steps, measured piece by piece at this job's sizes.
    overheadMs: overhead,
  })}\n`,
);
model.dispose();

/** Times the job's non-model work (resampling, tile copies, the update, compiles) on their own. */
function measurePieces(m: DreamModel, octaves: Array<[number, number]>, r: Recipe): Record<string, unknown> {
  const range = m.inputRange;
  const src = new Float32Array(image.width * image.height * 3).fill(100);
  let resize = 0;
  let copies = 0;
  let update = 0;
  const shapes = new Set<string>();
  for (const [h, w] of octaves) {
    let s = performance.now();
    const x = toRange(resizeBilinear(src, image.height, image.width, h, w), range);
    resizeBilinear(x, h, w, h, w);
    resize += performance.now() - s;
    const tiles = tileGrid(h, w, r.tileSize).flat();
    for (const tile of tiles) shapes.add(`${tile.height}x${tile.width}`);
    const g = new Float32Array(x.length);
    s = performance.now();
    for (const tile of tiles) writeRolledTile(g, h, w, 17, 29, tile, readRolledTile(x, h, w, 17, 29, tile), 0.5);
    copies += (performance.now() - s) * r.steps;
    s = performance.now();
    normalisedStep(x, g, 0.01, range);
    update += (performance.now() - s) * r.steps;
  }
  let s = performance.now();
  fromRange(src, range);
  const toPixels = performance.now() - s;
  // One-off cost per distinct tile shape (graph compile, session creation, first run's allocations;
  // paid once per worker with a pool), in CPU time: the first call's minus a second one's.
  const objective = recipeObjective(r);
  let firstCall = 0;
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (const shape of shapes) {
    const [h, w] = shape.split('x').map(Number) as [number, number];
    const pixels = new Float32Array(h * w * 3);
    if (!m.valueAndGradientData) break;
    s = cpu();
    m.valueAndGradientData(pixels, h, w, objective.layers, objective.fn);
    const first = cpu() - s;
    s = cpu();
    m.valueAndGradientData(pixels, h, w, objective.layers, objective.fn);
    firstCall += first - (cpu() - s);
  }
  const round = (v: number): number => Math.round(v);
  return { tileShapes: shapes.size, firstCallCpuAllShapes: round(firstCall), resizeBetweenOctaves: round(resize), tileCopies: round(copies), normalisedUpdate: round(update), toPixels: round(toPixels) };
}
