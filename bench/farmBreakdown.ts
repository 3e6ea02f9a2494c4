// Where a farm tile's overhead goes, part by part, at 512x512 (3 MB of float32 each way): the
// submitter's hash and put of a tile and its get of the gradient, the worker's get and put, and a
// one-tile flow through an in-process worker timed at each hand-over (same process, same clock):
// add -> active (claim, flow add, BullMQ hands the job over), the worker's part, completed ->
// submitter notified (BullMQ completes the child, frees the parent, the event or poll, the values
// read), the gradient's get and the step's release. Alone (no model):
// node --import tsx bench/farmBreakdown.ts
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { blobStore, float32Of } from '../farm/blobs.ts';
import { unrefBlobs } from '../farm/claims.ts';
import { flowRunner, STEP_QUEUE } from '../farm/flow.ts';
import type { GradientResult, ModelRef, TileImage } from '../farm/kinds.ts';
import { openQueue, openQueueEvents } from '../farm/queues.ts';
import type { FarmConnection } from '../farm/url.ts';
import { startWorkers, type JobHandlers } from '../farm/worker.ts';
import { median } from './timing.ts';

export interface TileBreakdown {
  tileBytes: number;
  repeats: number;
  /** Milliseconds, medians. */
  sha256Ms: number;
  submitterPutMs: number;
  submitterGetMs: number;
  submitterReleaseMs: number;
  workerGetMs: number;
  workerPutMs: number;
  flow: { addToActiveMs: number; workerJobMs: number; completedToNotifiedMs: number; gradientGetMs: number; releaseMs: number; totalMs: number };
  /** The same parts' minimums: on a shared, busy machine nearer what a quiet one gives than the medians. */
  flowMin: TileBreakdown['flow'];
}

const TERMS = { layers: [{ name: 'mixed3', weight: 1 }], channels: [], classes: [] };

export async function tileBreakdown(connection: FarmConnection, ref: ModelRef, options: { size?: number; repeats?: number } = {}): Promise<TileBreakdown> {
  const size = options.size ?? 512;
  const repeats = options.repeats ?? 10;
  const redis = new Redis({ ...connection.options });
  const blobs = blobStore(redis);
  const tile = new Float32Array(size * size * 3).map((_, i) => Math.sin(i));
  const bytes = new Uint8Array(tile.buffer);
  const times = (n: number, f: () => Promise<void> | void): Promise<number> =>
    (async () => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await f();
        ms.push(performance.now() - t);
      }
      return median(ms);
    })();
  const sha256Ms = await times(repeats, () => void createHash('sha256').update(bytes).digest('hex'));
  let key = '';
  const submitterPutMs = await times(repeats, async () => void (key = await blobs.put(bytes, { counted: true })));
  const submitterGetMs = await times(repeats, async () => void float32Of(await blobs.get(key, bytes.byteLength)));
  const workerGetMs = await times(repeats, async () => void (await blobs.get(key, bytes.byteLength)));
  let salt = 0;
  const gradientKeys: string[] = [];
  const workerPutMs = await times(repeats, async () => void gradientKeys.push(await blobs.put(bytes, { salt: `bench-${salt++}` })));
  const submitterReleaseMs = await times(repeats, async () => void (await unrefBlobs(redis, [key])));
  await redis.unlink(...gradientKeys, key);

  // One-tile flows through an in-process worker that answers at once with a gradient of its own.
  const marks: { active?: number; completed?: number } = {};
  const handlers = {
    'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
      const g = new Uint8Array((p.tile as { bytes: Uint8Array }).bytes);
      return { value: 0, gradient: { width: p.tile.width, height: p.tile.height, bytes: g } };
    },
  } as unknown as JobHandlers;
  const worker = startWorkers(connection, [{ model: ref, handlers }], {
    concurrency: 1,
    onEvent: (e) => {
      if (e.type === 'active') marks.active = performance.now();
      if (e.type === 'completed') marks.completed = performance.now();
    },
  });
  await worker.ready;
  const steps = openQueue(connection, STEP_QUEUE);
  const stepEvents = openQueueEvents(connection, STEP_QUEUE);
  const tiles = openQueue(connection, ref);
  await stepEvents.waitUntilReady();
  const flows = flowRunner(connection, ref, { steps, stepEvents, tiles });
  const parts: Array<TileBreakdown['flow']> = [];
  for (let r = 0; r < repeats + 1; r++) {
    const t = tile.slice();
    t[0] = 1000 + r; // a step of its own each time (steps are content-addressed)
    const tileKey = await blobs.put(new Uint8Array(t.buffer), { counted: true });
    const t0 = performance.now();
    const run = await flows.run([{ kind: 'dream-tile', payload: { model: ref, terms: TERMS, tile: { width: size, height: size, blob: tileKey } } }], { member: 'bench' });
    const t1 = performance.now();
    const g = run.results[0]!.gradient as { blob: string; width: number; height: number };
    float32Of(await blobs.get(g.blob, g.width * g.height * 12));
    const t2 = performance.now();
    await run.release();
    await unrefBlobs(redis, [tileKey]);
    const t3 = performance.now();
    // The first is a warm-up (connections, scripts loaded).
    if (r > 0) parts.push({ addToActiveMs: marks.active! - t0, workerJobMs: marks.completed! - marks.active!, completedToNotifiedMs: t1 - marks.completed!, gradientGetMs: t2 - t1, releaseMs: t3 - t2, totalMs: t3 - t0 });
  }
  await flows.close();
  await Promise.all([steps.close(), stepEvents.close(), tiles.close()]);
  await worker.close();
  redis.disconnect();
  const m = (k: keyof TileBreakdown['flow']): number => round(median(parts.map((p) => p[k])));
  const least = (k: keyof TileBreakdown['flow']): number => round(Math.min(...parts.map((p) => p[k])));
  return {
    tileBytes: bytes.byteLength,
    repeats,
    sha256Ms: round(sha256Ms),
    submitterPutMs: round(submitterPutMs),
    submitterGetMs: round(submitterGetMs),
    submitterReleaseMs: round(submitterReleaseMs),
    workerGetMs: round(workerGetMs),
    workerPutMs: round(workerPutMs),
    flow: { addToActiveMs: m('addToActiveMs'), workerJobMs: m('workerJobMs'), completedToNotifiedMs: m('completedToNotifiedMs'), gradientGetMs: m('gradientGetMs'), releaseMs: m('releaseMs'), totalMs: m('totalMs') },
    flowMin: { addToActiveMs: least('addToActiveMs'), workerJobMs: least('workerJobMs'), completedToNotifiedMs: least('completedToNotifiedMs'), gradientGetMs: least('gradientGetMs'), releaseMs: least('releaseMs'), totalMs: least('totalMs') },
  };
}

const round = (v: number): number => Number(v.toFixed(2));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { startRedis } = await import('../tests/helpers/redis.ts');
  const { parseFarmUrl } = await import('../farm/url.ts');
  const { loadavg } = await import('node:os');
  const redis = await startRedis();
  const figures = await tileBreakdown(parseFarmUrl(redis.url), { id: 'bench', sha256: 'b'.repeat(64) });
  await redis.stop();
  process.stdout.write(`${JSON.stringify({ loadavg: loadavg().map((v) => Number(v.toFixed(2))), ...figures }, null, 2)}\n`);
  process.exit(0);
}
