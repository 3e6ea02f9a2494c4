// `npm run bench` farm section (or alone: node --import tsx bench/farm.ts): what the farm costs per
// tile against what a tile computes, throughput with 1, 2 and 3 real worker processes here, and the
// README's projection of parallel efficiency for 4, 16 and 64 machines (a 4K frame; an atlas).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadFarmModel } from '../cli/farm/model.ts';
import { jobHandlers } from '../cli/farm/handlers.ts';
import { farmTilePool } from '../host/farm/tilePool.ts';
import { decodeFloat32, encodeBytes, type GradientResult } from '../farm/kinds.ts';
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

// 2. Serialisation alone: what the submitter and a worker do to a tile and its gradient.
const encode = await time(10, () => void JSON.stringify({ tile: { data: encodeBytes(pixels) } }));
const b64 = encodeBytes(pixels);
const decode = await time(10, () => void decodeFloat32(JSON.parse(JSON.stringify({ d: b64 })).d as string));

// 3. The farm's own cost: tiles through Redis to an in-process worker that answers at once.
const redis = await startRedis();
const connection = parseFarmUrl(redis.url);
const channelImage = { width: 128, height: 128, data: encodeBytes(new Uint8Array(128 * 128 * 3)) };
const echo = {
  'dream-tile': async (p: { tile: { width: number; height: number; data: string } }): Promise<GradientResult> => ({ value: 0, gradient: { ...p.tile } }),
  feature: async () => channelImage,
} as unknown as JobHandlers;
const echoWorker = startWorkers(connection, [{ model: ref, handlers: echo }], { concurrency: 16 });
await echoWorker.ready;
const pool = farmTilePool(connection, ref);
const flowOf = async (n: number): Promise<void> => {
  await Promise.all(Array.from({ length: n }, () => pool.gradient(pixels, TILE, TILE, terms)));
};
const oneTileFlow = await time(5, () => flowOf(1));
const batchTiles = Number(values.tiles ?? 16);
const manyTileFlow = await time(3, () => flowOf(batchTiles));
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
// Per tile, serial on the submitter (encode, send, receive, decode): the slope of flow time over tiles.
const perTileMs = Math.max(0, (manyTileFlow.median - oneTileFlow.median) / (batchTiles - 1));
// Per step, whatever the tile count: the barrier's latency (flow add, BullMQ's parent move, polling).
const perStepMs = Math.max(0, oneTileFlow.median - perTileMs);

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

// 5. The projection (README, "Render farm"): a step of T tiles on n machines takes
//    t(n) = b + T·s + ceil(T/n)·(c + w), efficiency E(n) = T·c / (n·t(n));
//    an atlas of independent channels: E(n) = min(1, c_a / (n·s_a)) (the submitter's serial
//    handling of each job, s_a, is all that does not spread; a worker's encode of 49 kB is negligible).
const c = compute.median;
const s = perTileMs;
const b = perStepMs;
const w = encode.median + decode.median; // a worker decodes the tile and encodes the gradient
const tiles4k = Math.ceil(3840 / TILE) * Math.ceil(2160 / TILE);
const frame = (n: number): number => Number(((tiles4k * c) / (n * (b + tiles4k * s + Math.ceil(tiles4k / n) * (c + w)))).toFixed(3));
const atlas = (n: number): number => Number(Math.min(1, channelMs / (n * perJobMs)).toFixed(3));
const report = {
  backend,
  accelerator: model.accelerator ?? null,
  tile: { size: TILE, layers: 'mixed3+mixed5', computeMs: c, computeMinMs: compute.min },
  overhead: {
    encodeMs: encode.median,
    decodeMs: decode.median,
    perTileSubmitterMs: Number(s.toFixed(1)),
    perStepBarrierMs: Number(b.toFixed(1)),
    oneTileRoundTripMs: oneTileFlow.median,
    flowOfTilesMs: { tiles: batchTiles, ms: manyTileFlow.median },
    percentOfTileCompute: Number(((100 * (s + w)) / c).toFixed(2)),
  },
  throughput,
  atlas: { channelMs: Math.round(channelMs), measuredSteps: atlasSteps, submitterPerJobMs: Number(perJobMs.toFixed(2)), mixed3ChannelsHoursHere: Number(((768 * channelMs) / 3_600_000).toFixed(2)) },
  projection: {
    formula: 't(n) = b + T*s + ceil(T/n)*(c + w); E(n) = T*c / (n*t(n))',
    frame4k: { tiles: tiles4k, efficiency: Object.fromEntries([4, 16, 64].map((n) => [n, frame(n)])) },
    atlas: { formula: 'E(n) = min(1, c_a / (n*s_a))', efficiency: Object.fromEntries([4, 16, 64].map((n) => [n, atlas(n)])) },
  },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(0);
