// The records a submitter killed for good leaves behind, with a real redis-server: a step it never
// released (its tiles done) and a poisoned job's failure stay while young, and a worker's sweep
// removes them once they are older than the records' lifetime; a tile job still waiting for a worker
// is never swept.
import { describe, expect, it } from 'vitest';
import { useTestRedis } from '../tests/helpers/useRedis.ts';
import { flowRunner, STEP_QUEUE } from './flow.ts';
import { sweepStaleRecords } from './janitor.ts';
import { tileFloat32, type GradientResult, type ModelRef, type TileImage } from './kinds.ts';
import { openQueue, openQueueEvents } from './queues.ts';
import { parseFarmUrl } from './url.ts';
import { startWorkers, type JobHandlers } from './worker.ts';

const served = useTestRedis();

const model: ModelRef = { id: 'echo', sha256: 'e'.repeat(64) };
const idle: ModelRef = { id: 'idle', sha256: 'd'.repeat(64) };
const TERMS = { layers: [{ name: 'mixed3', weight: 1 }], channels: [] };
const tile = (v: number): TileImage => ({ width: 2, height: 2, data: Buffer.from(new Float32Array(12).fill(v).buffer).toString('base64') });

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('sweeping job records of runs nobody will read', () => {
  it('keeps young records and waiting jobs, and a worker sweeps the stale ones', async () => {
    const connection = parseFarmUrl(served.redis.url);
    const handlers = {
      'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
        if (tileFloat32(p.tile)[0] === -1) throw new TypeError('poisoned');
        return { value: 1, gradient: p.tile };
      },
    } as unknown as JobHandlers;
    const worker = startWorkers(connection, [{ model, handlers }], { sweepEveryMs: 0 });
    await worker.ready;
    const steps = openQueue(connection, STEP_QUEUE);
    const stepEvents = openQueueEvents(connection, STEP_QUEUE);
    const tiles = openQueue(connection, model);
    const idleTiles = openQueue(connection, idle);
    await stepEvents.waitUntilReady();
    const flows = flowRunner(connection, model, { steps, stepEvents, tiles }, 1);
    // A submitter that read its step and was killed before releasing it.
    const run = await flows.run([0.5, 0.25].map((v) => ({ kind: 'dream-tile' as const, payload: { model, terms: TERMS, tile: tile(v) } })), { member: 'killed' });
    expect(run.results).toHaveLength(2);
    // A batch job (no step) whose poisoned tile failed for good, its record kept for a look.
    await tiles.add('dream-tile', { model, terms: TERMS, tile: tile(-1) }, { jobId: 'poisoned', attempts: 1, removeOnFail: false });
    await until(async () => (await tiles.getJobState('poisoned')) === 'failed', 'the poisoned job to fail');
    // A tile job no worker holds the model for: it waits, however old.
    await idleTiles.add('dream-tile', { model: idle, terms: TERMS, tile: tile(3) }, { jobId: 'waiting-tile' });
    const counts = async () => {
      const t = await tiles.getJobCounts('completed', 'failed');
      const s = await steps.getJobCounts('wait', 'failed');
      return { tilesDone: t['completed'], tilesFailed: t['failed'], stepsWaiting: s['wait'], stepsFailed: s['failed'] };
    };
    const before = await counts();
    expect(before).toEqual({ tilesDone: 2, tilesFailed: 1, stepsWaiting: 1, stepsFailed: 0 });

    expect(await sweepStaleRecords([tiles, idleTiles], steps)).toBe(0);
    expect(await counts()).toEqual(before);
    await new Promise((r) => setTimeout(r, 20));
    // Past their lifetime (here 10 ms): a second worker's own sweep takes them; the waiting job stays.
    const sweeper = startWorkers(connection, [{ model, handlers }], { sweepEveryMs: 50, recordTtlMs: 10 });
    await sweeper.ready;
    await until(async () => Object.values(await counts()).every((n) => n === 0), 'the sweep');
    expect(await sweepStaleRecords([idleTiles], steps, 0)).toBe(0);
    expect(await idleTiles.getJobState('waiting-tile')).toBe('waiting');

    await flows.close();
    await Promise.all([sweeper.close(), worker.close()]);
    await Promise.all([steps.close(), stepEvents.close(), tiles.close(), idleTiles.close()]);
  }, 30_000);
});
