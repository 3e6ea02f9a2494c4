// One dream step on a large image, tiled, with or without the worker pool; run as its own process so
// its peak resident memory (threads included) is this step's alone. Prints one JSON line.
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { GradientPool } from '../engine/parallel/gradientPool.ts';
import { dreamToEnd } from '../engine/render/dream.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';

const { values } = parseArgs({ options: { size: { type: 'string' }, workers: { type: 'string' }, backend: { type: 'string' }, steps: { type: 'string' } } });
const size = Number(values.size ?? 1024);
const workers = Number(values.workers ?? 2);
const steps = Number(values.steps ?? 2);
const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
const model = await loadDreamModel('inception_v3');
const pool = workers > 0 ? await GradientPool.start({ size: workers, backend }) : undefined;
const rgb = new Float32Array(size * size * 3);
for (let i = 0; i < rgb.length; i++) rgb[i] = 128 + 100 * Math.sin(i * 0.00037) * Math.cos(i * 0.0000011);
const recipe = { ...DEFAULT_RECIPE, steps, octaves: 1, tileSize: 512 };
const times: number[] = [];
let last = performance.now();
await dreamToEnd(model, { width: size, height: size, rgb }, recipe, {
  ...(pool ? { pool } : {}),
  onProgress: () => {
    const now = performance.now();
    times.push(now - last);
    last = now;
  },
});
await pool?.close();
const tiles = Math.ceil(size / 512) ** 2;
const accelerator = model.accelerator ?? null;
process.stdout.write(`${JSON.stringify({ size, tiles, workers, backend, accelerator, stepMs: Math.round(Math.min(...times)), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
model.dispose();
