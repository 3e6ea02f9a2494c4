// Two submitters of the same step at once, with a real redis-server: claims keep a shared step, its
// jobs and its keys until the last submitter has read it; a lapsed claim (a killed submitter) does
// not pin it; a resumed run takes over its own claim; counted tile keys go at their last release.
import { describe, expect, it } from 'vitest';
import { useTestRedis } from '../tests/helpers/useRedis.ts';
import { farmTilePool } from '../host/farm/tilePool.ts';
import { blobStore, float32Of } from './blobs.ts';
import { stepClaims, unrefBlobs } from './claims.ts';
import { tileFloat32, type GradientResult, type ModelRef, type TileImage } from './kinds.ts';
import { flowRunner, STEP_QUEUE } from './flow.ts';
import { FARM_PREFIX, openQueue, openQueueEvents } from './queues.ts';
import { parseFarmUrl } from './url.ts';
import { startWorkers, type JobHandlers } from './worker.ts';

const served = useTestRedis();
const model: ModelRef = { id: 'echo', sha256: 'c'.repeat(64) };
const TERMS = { layers: [{ name: 'mixed3', weight: 1 }], channels: [] };

/** Every key the farm's tiles, counts and claims left (queues' own bookkeeping aside). */
const leftovers = async (): Promise<string[]> => (await served.client.keys(`${FARM_PREFIX}:*`)).filter((k) => /:(blob|ref|claims|closing):/.test(k)).sort();

describe('claims on shared steps', () => {
  it('the last of several claims removes the step; a lapsed claim does not count; a resumed member takes its own over', async () => {
    const claims = stepClaims(served.client);
    const removed: string[] = [];
    const remove = (what: string) => async (): Promise<void> => void removed.push(what);
    await claims.claim('s1', 'a');
    await claims.claim('s1', 'b');
    expect(await claims.release('s1', 'a', remove('by a'))).toBe(false);
    expect(await claims.release('s1', 'b', remove('by b'))).toBe(true);
    // A killed submitter's claim that lapsed is no claim; one that has not, is.
    const short = stepClaims(served.client, 50);
    await short.claim('s2', 'killed');
    await claims.claim('s2', 'alive');
    await new Promise((r) => setTimeout(r, 80));
    expect(await claims.release('s2', 'alive', remove('s2 by alive'))).toBe(true);
    // The same member twice (a resume of the killed run) is one claim.
    await claims.claim('s3', 'project:0');
    await claims.claim('s3', 'project:0');
    expect(await claims.release('s3', 'project:0', remove('s3 by resume'))).toBe(true);
    expect(removed).toEqual(['by b', 's2 by alive', 's3 by resume']);
    expect(await leftovers()).toEqual([]);
  });

  it('a claim made while the last claimant removes the step waits until the removal is done', async () => {
    const claims = stepClaims(served.client);
    await claims.claim('s4', 'a');
    let removing!: () => void;
    const removal = new Promise<void>((r) => (removing = r));
    const order: string[] = [];
    const released = claims.release('s4', 'a', async () => {
      await removal;
      order.push('removed');
    });
    await new Promise((r) => setTimeout(r, 30));
    const claimed = claims.claim('s4', 'b').then(() => order.push('claimed'));
    await new Promise((r) => setTimeout(r, 120));
    expect(order).toEqual([]);
    removing();
    await Promise.all([released, claimed]);
    expect(order).toEqual(['removed', 'claimed']);
    expect(await claims.release('s4', 'b', async () => undefined)).toBe(true);
  });

  it('a counted tile key stays until each of its puts is released', async () => {
    const store = blobStore(served.client);
    const bytes = new Uint8Array([9, 8, 7, 6]);
    const key = await store.put(bytes, { counted: true });
    expect(await store.put(bytes, { counted: true })).toBe(key);
    expect(await unrefBlobs(served.client, [key])).toBe(0);
    expect([...(await store.get(key, 4))]).toEqual([9, 8, 7, 6]);
    expect(await unrefBlobs(served.client, [key])).toBe(1);
    expect(await served.client.exists(key)).toBe(0);
    // A worker's gradient is salted with its job: equal bytes, a key of its own.
    expect(await store.put(bytes, { salt: 'job-1' })).not.toBe(key);
    await served.client.del(await store.put(bytes, { salt: 'job-1' }));
    expect(await leftovers()).toEqual([]);
  });

  it('two submitters of the same tiles at once both get every gradient, and Redis is left empty', async () => {
    const connection = parseFarmUrl(served.redis.url);
    let computed = 0;
    const handlers = {
      'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
        computed++;
        await new Promise((r) => setTimeout(r, 40));
        return { value: 1, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(tileFloat32(p.tile).map((v) => v * 2).buffer) } };
      },
    } as unknown as JobHandlers;
    const worker = startWorkers(connection, [{ model, handlers }], { concurrency: 2 });
    await worker.ready;
    const tiles = [0, 1, 2, 3, 4].map((k) => Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => i * 0.5 - k));
    const step = (pool: ReturnType<typeof farmTilePool>, t: Float32Array[]) => Promise.all(t.map((x) => pool.gradient(x.slice(), 4, 5, TERMS)));
    const [a, b] = [farmTilePool(connection, model, undefined, { chunk: 2 }), farmTilePool(connection, model, undefined, { chunk: 2 })];
    // Three steps each, the second submitter a little behind: it reattaches to steps the first is
    // computing, reading, or has already removed.
    const steps = [tiles, tiles.map((t) => t.map((v) => v + 1)), tiles.map((t) => t.map((v) => v - 1))];
    const run = async (pool: typeof a, delay: number) => {
      await new Promise((r) => setTimeout(r, delay));
      const out = [];
      for (const s of steps) out.push(await step(pool, s));
      return out;
    };
    const [ra, rb] = await Promise.all([run(a, 0), run(b, 25)]);
    for (const r of [ra, rb]) r.forEach((s, i) => s.forEach((g, k) => expect([...g.gradient]).toEqual([...steps[i]![k]!].map((v) => v * 2))));
    expect(computed).toBeGreaterThanOrEqual(15);
    await Promise.all([a.close(), b.close()]);
    await worker.close();
    expect(await leftovers()).toEqual([]);
    const queue = openQueue(connection, model);
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'waiting-children');
    await queue.close();
    expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(0);
  });

  it('a submitter that reattaches to a step in flight shares its jobs: each tile is computed once', async () => {
    const connection = parseFarmUrl(served.redis.url);
    let computed = 0;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const handlers = {
      'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
        computed++;
        await gate;
        return { value: 3, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(tileFloat32(p.tile).map((v) => -v).buffer) } };
      },
    } as unknown as JobHandlers;
    const worker = startWorkers(connection, [{ model, handlers }], { concurrency: 8 });
    await worker.ready;
    const tiles = [0, 1, 2, 3, 4].map((k) => Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => i * 0.125 + k));
    const [a, b] = [farmTilePool(connection, model, undefined, { chunk: 2 }), farmTilePool(connection, model, undefined, { chunk: 2 })];
    const first = Promise.all(tiles.map((t) => a.gradient(t.slice(), 4, 5, TERMS)));
    const second = Promise.all(tiles.map((t) => b.gradient(t.slice(), 4, 5, TERMS)));
    // Both have claimed each of the step's three flows before any tile may finish.
    const claimed = async (): Promise<boolean> => {
      const keys = await served.client.keys(`${FARM_PREFIX}:claims:*`);
      return keys.length === 3 && (await Promise.all(keys.map((k) => served.client.zcard(k)))).every((n) => n === 2);
    };
    while (!(await claimed())) await new Promise((r) => setTimeout(r, 20));
    open();
    for (const r of await Promise.all([first, second])) r.forEach((g, k) => expect([...g.gradient]).toEqual([...tiles[k]!].map((v) => -v)));
    // Nothing was lost and run again: the second submitter read what the first one's jobs computed.
    expect(computed).toBe(5);
    await Promise.all([a.close(), b.close()]);
    await worker.close();
    expect(await leftovers()).toEqual([]);
  });

  it('the first submitter to read a shared step leaves its gradients and jobs to the second', async () => {
    const connection = parseFarmUrl(served.redis.url);
    const handlers = {
      'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => ({ value: 2, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(tileFloat32(p.tile).map((v) => v + 1).buffer) } }),
    } as unknown as JobHandlers;
    const worker = startWorkers(connection, [{ model, handlers }], { concurrency: 2 });
    await worker.ready;
    const store = blobStore(served.client);
    const tile = Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => i / 7);
    const key = await store.put(new Uint8Array(tile.buffer), { counted: true });
    const tasks = [{ kind: 'dream-tile' as const, payload: { model, terms: TERMS, tile: { width: 4, height: 5, blob: key } } }];
    const steps = openQueue(connection, STEP_QUEUE);
    const stepEvents = openQueueEvents(connection, STEP_QUEUE);
    const tilesQueue = openQueue(connection, model);
    await stepEvents.waitUntilReady();
    const flows = flowRunner(connection, model, { steps, stepEvents, tiles: tilesQueue });
    const [a, b] = await Promise.all([flows.run(tasks, { member: 'a' }), flows.run(tasks, { member: 'b' })]);
    await a.release();
    // The second reads the gradient after the first has released the step: it is still there.
    const g = a.results[0]!.gradient as { blob: string };
    expect(b.results[0]!.gradient).toEqual(g);
    expect([...float32Of(await store.get(g.blob, 4 * 5 * 12))]).toEqual([...tile.map((v) => v + 1)]);
    await b.release();
    expect(await served.client.exists(g.blob)).toBe(0);
    expect(await tilesQueue.getJobCounts('completed', 'waiting', 'active')).toEqual({ completed: 0, waiting: 0, active: 0 });
    await unrefBlobs(served.client, [key]);
    await flows.close();
    await Promise.all([steps.close(), stepEvents.close(), tilesQueue.close()]);
    await worker.close();
    expect(await leftovers()).toEqual([]);
  });
});
