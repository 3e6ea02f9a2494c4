// `npm run bench` farm section (or alone: node --import tsx bench/farm.ts): what the farm costs per
// tile against what a tile computes, throughput with 1, 2 and 3 real worker processes here, and the
// README's projection of parallel efficiency for 4, 16 and 64 machines (a 4K frame; an atlas).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadFarmModel } from '../cli/farm/model.ts';
import { jobHandlers } from '../cli/farm/handlers.ts';
import { farmTilePool, TILES_PER_FLOW } from '../host/farm/tilePool.ts';
import { pipelineStep } from './farmPipeline.ts';
import { tileBreakdown } from './farmBreakdown.ts';
import { Redis } from 'ioredis';
import { blobStore, float32Of } from '../farm/blobs.ts';
import { decodeFloat32, encodeBytes, type GradientResult, type TileImage } from '../farm/kinds.ts';
import { startWorkers, type JobHandlers } from '../farm/worker.ts';
import { openQueue, openQueueEvents } from '../farm/queues.ts';
import { submitJobs, taskList } from '../farm/submit.ts';
import { parseFarmUrl } from '../farm/url.ts';
import { startRedis } from '../tests/helpers/redis.ts';
import { median, time } from './timing.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, repeats: { type: 'string' }, tiles: { type: 'string' }, 'atlas-steps': { type: 'string' } } });
const repeats = Number(values.repeats ?? 3);
const TILE = 512;
const terms = { layers: [{ name: 'mixed3', weight: 1 }, { name: 'mixed5', weight: 1 }], channels: [], classes: [] };
const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
const { ref, model } = await loadFarmModel('inception_v3');
const handlers = jobHandlers(model, ref);
const pixels = tf.randomUniform([TILE * TILE * 3], -1, 1, 'float32', 7).dataSync() as Float32Array;

// 1. One 512x512 tile's gradient, and one atlas channel (128 px, Lucid's 256 steps, scaled from fewer).
const compute = await time(repeats, async () => {
  await handlers['dream-tile']({ model: ref, terms, tile: { width: TILE, height: TILE, data: encodeBytes(pixels) } }, new AbortController().signal);
});
const atlasSteps = Number(values['atlas-steps'] ?? 32);
const channel = await time(1, async () => {
  await handlers.feature({ model: ref, layer: 'mixed3', channel: 0, recipe: { size: 128, steps: atlasSteps } }, new AbortController().signal);
});
const channelMs = (channel.median * 256) / atlasSteps;

// 2. What a worker does to a tile and its gradient besides computing: base64 in JSON (the old way)
//    against raw bytes under their own Redis key (the way now: one GET and one SET of 3 MB).
const encode = await time(10, () => void JSON.stringify({ tile: { data: encodeBytes(pixels) } }));
const b64 = encodeBytes(pixels);
const decode = await time(10, () => void decodeFloat32(JSON.parse(JSON.stringify({ d: b64 })).d as string));
const redis = await startRedis();
const connection = parseFarmUrl(redis.url);
const blobClient = new Redis({ ...connection.options });
const blobs = blobStore(blobClient);
const tileBytes = new Uint8Array(pixels.buffer);
const rawKey = await blobs.put(tileBytes);
// A worker's gradient is keyed by its job (no hash of its bytes): a key per put, removed after.
const workerKeys: string[] = [];
const rawWorker = await time(10, async () => {
  float32Of(await blobs.get(rawKey, tileBytes.byteLength));
  workerKeys.push(await blobs.put(tileBytes, { salt: `bench-${workerKeys.length}` }));
});
await blobClient.unlink(...workerKeys);

// 3. The farm's own cost: tiles through Redis to an in-process worker that answers at once, with
//    raw tiles and with base64 tiles: the submitter's serial cost per tile and the step barrier.
const channelImage = { width: 128, height: 128, data: encodeBytes(new Uint8Array(128 * 128 * 3)) };
const echo = {
  'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => ({ value: 0, gradient: { ...p.tile } }),
  feature: async () => channelImage,
} as unknown as JobHandlers;
const echoWorker = startWorkers(connection, [{ model: ref, handlers: echo }], { concurrency: 16 });
await echoWorker.ready;
const batchTiles = Number(values.tiles ?? 16);
async function flowCost(rawTiles: boolean): Promise<{ perTileMs: number; perStepMs: number; oneTileMs: number; manyTilesMs: number }> {
  const echoPool = farmTilePool(connection, ref, undefined, { rawTiles });
  // Distinct tiles each time: steps are content-addressed, and a repeated step would be one add.
  let salt = 0;
  const flow = async (n: number): Promise<void> => {
    await Promise.all(Array.from({ length: n }, () => {
      const t = pixels.slice();
      t[0] = salt++;
      return echoPool.gradient(t, TILE, TILE, terms);
    }));
  };
  const one = await time(5, () => flow(1));
  const many = await time(3, () => flow(batchTiles));
  await echoPool.close();
  // Per tile, serial on the submitter: the slope of flow time over tiles; per step: the rest.
  const perTileMs = Math.max(0, (many.median - one.median) / (batchTiles - 1));
  return { perTileMs, perStepMs: Math.max(0, one.median - perTileMs), oneTileMs: one.median, manyTilesMs: many.median };
}
const rawFlow = await flowCost(true);
const base64Flow = await flowCost(false);
// An atlas's channels: independent jobs through the windowed submitter; its serial cost per job.
const queue = openQueue(connection, ref);
const events = openQueueEvents(connection, ref);
await events.waitUntilReady();
const ATLAS_JOBS = 64;
const atlasJobs = taskList(Array.from({ length: ATLAS_JOBS }, (_, i) => ({ kind: 'feature' as const, payload: { model: ref, layer: 'mixed3', channel: i, recipe: {} } })));
const atlasRun = await time(2, async () => {
  await submitJobs(queue, events, atlasJobs, { onResult: () => undefined });
});
const perJobMs = atlasRun.median / ATLAS_JOBS;
await Promise.all([events.close(), queue.close()]);
await echoWorker.close();
blobClient.disconnect();
// 3a. Where one tile's overhead goes: each side's puts and gets, add -> active, completed -> notified.
const breakdown = await tileBreakdown(connection, ref, { size: TILE });
// 3b. A 4K frame's step on 16 simulated machines (workers that wait c instead of computing): the
//     step's measured wall time, pipelined and as one flow, so E(16) is measured, not projected.
const tiles4k = Math.ceil(3840 / TILE) * Math.ceil(2160 / TILE);
const simulated = await pipelineStep(connection, ref, { computeMs: compute.median, tiles: tiles4k, machines: 16 });
const pool = farmTilePool(connection, ref);
let salt = 1e6;
const flowOf = async (n: number): Promise<void> => {
  await Promise.all(Array.from({ length: n }, () => {
    const t = pixels.slice();
    t[0] = salt++;
    return pool.gradient(t, TILE, TILE, terms);
  }));
};

// 4. Throughput with 1, 2, 3 real `reverie worker` processes on this machine's cores.
const BIN = fileURLToPath(new URL('../bin/reverie.js', import.meta.url));
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--farm', redis.url, '--json', '--backend', backend], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"type":"ready"')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}
const throughput: Array<{ workers: number; tiles: number; ms: number; tilesPerSecond: number }> = [];
const running: ChildProcess[] = [];
const TILES = 6;
for (const n of [1, 2, 3]) {
  while (running.length < n) running.push(await startWorkerProcess());
  await flowOf(n); // warm every worker (onnxruntime compiles the graph for this size once)
  const ms: number[] = [];
  for (let r = 0; r < 2; r++) {
    const t = performance.now();
    await flowOf(TILES);
    ms.push(performance.now() - t);
  }
  const m = median(ms);
  throughput.push({ workers: n, tiles: TILES, ms: Math.round(m), tilesPerSecond: Number(((TILES * 1000) / m).toFixed(3)) });
}
for (const child of running) child.kill('SIGTERM');
await pool.close();
await redis.stop();
model.dispose();

// 5. The projection (README, "Render farm"): a step of T tiles on n machines, the submitter writing
//    flows of k tiles while the workers compute the earlier ones and reading each flow when done,
//    takes t(n) = b + k·s + max(T·s, ceil(T/n)·(c + w)) (only the first flow's writes and the last
//    one's reads cannot overlap the compute); one flow per step (before) took b + T·s + ceil(T/n)·(c + w).
//    Efficiency E(n) = T·c / (n·t(n));
//    an atlas of independent channels: E(n) = min(1, c_a / (n·s_a)) (the submitter's serial
//    handling of each job, s_a, is all that does not spread; a worker's encode of 49 kB is negligible).
const c = compute.median;
// The echo worker runs in this process, so the slope of flow time over tiles holds its w as well:
// the submitter's own serial cost is the slope less w (a real worker's w is on its own machine).
const submitter = <F extends { perTileMs: number }>(f: F, w: number): F => ({ ...f, perTileMs: Math.max(0, f.perTileMs - w) });
const overhead = (f: { perTileMs: number; perStepMs: number; oneTileMs: number; manyTilesMs: number }, w: number) => ({
  perTileSlopeMs: Number((f.perTileMs + w).toFixed(1)),
  perTileSubmitterMs: Number(f.perTileMs.toFixed(1)),
  perStepBarrierMs: Number(f.perStepMs.toFixed(1)),
  workerMs: Number(w.toFixed(2)),
  oneTileRoundTripMs: Number(f.oneTileMs.toFixed(1)),
  flowOfTilesMs: { tiles: batchTiles, ms: Number(f.manyTilesMs.toFixed(1)) },
  percentOfTileCompute: Number(((100 * (f.perTileMs + w)) / c).toFixed(2)),
});
const frame = (f: { perTileMs: number; perStepMs: number }, w: number, k = tiles4k) => (n: number): number => {
  const compute = Math.ceil(tiles4k / n) * (c + w);
  const t = k >= tiles4k ? f.perStepMs + tiles4k * f.perTileMs + compute : f.perStepMs + k * f.perTileMs + Math.max(tiles4k * f.perTileMs, compute);
  return Number(((tiles4k * c) / (n * t)).toFixed(3));
};
const rawW = rawWorker.median; // a worker's GET of the tile and SET of its gradient
const b64W = encode.median + decode.median; // a worker decodes the tile and encodes the gradient
const atlas = (n: number): number => Number(Math.min(1, channelMs / (n * perJobMs)).toFixed(3));
const report = {
  backend,
  accelerator: model.accelerator ?? null,
  cpu: `${cpus()[0]?.model.trim() ?? '?'} x${cpus().length}`,
  loadavg: loadavg().map((v) => Number(v.toFixed(2))),
  tile: { size: TILE, layers: 'mixed3+mixed5', computeMs: c, computeMinMs: compute.min },
  breakdown,
  overhead: { raw: overhead(submitter(rawFlow, rawW), rawW), base64: { ...overhead(submitter(base64Flow, b64W), b64W), encodeMs: encode.median, decodeMs: decode.median } },
  throughput,
  simulated16: simulated,
  atlas: { channelMs: Math.round(channelMs), size: 128, steps: 256, measuredSteps: atlasSteps, submitterPerJobMs: Number(perJobMs.toFixed(2)), mixed3ChannelsHoursHere: Number(((768 * channelMs) / 3_600_000).toFixed(2)) },
  projection: {
    formula: 'pipelined: t(n) = b + k*s + max(T*s, ceil(T/n)*(c + w)); one flow per step: t(n) = b + T*s + ceil(T/n)*(c + w); E(n) = T*c / (n*t(n))',
    frame4k: {
      tiles: tiles4k,
      tilesPerFlow: TILES_PER_FLOW,
      raw: Object.fromEntries([4, 16, 64].map((n) => [n, frame(submitter(rawFlow, rawW), rawW, TILES_PER_FLOW)(n)])),
      rawOneFlowPerStep: Object.fromEntries([4, 16, 64].map((n) => [n, frame(submitter(rawFlow, rawW), rawW)(n)])),
      base64: Object.fromEntries([4, 16, 64].map((n) => [n, frame(submitter(base64Flow, b64W), b64W)(n)])),
    },
    atlas: { formula: 'E(n) = min(1, c_a / (n*s_a))', efficiency: Object.fromEntries([4, 16, 64].map((n) => [n, atlas(n)])) },
  },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(0);
