// The queue plumbing alone, with a real redis-server and an in-process BullMQ worker whose handlers
// echo their input (the model-backed kinds are tested end to end in tests/farm.cli.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../tests/helpers/redis.ts';
import { encodeBytes, type ModelRef } from './kinds.ts';
import { openQueue, openQueueEvents } from './queues.ts';
import { submitJobs, taskList, type FarmTask } from './submit.ts';
import { parseFarmUrl } from './url.ts';
import { startWorkers, type JobHandlers } from './worker.ts';

let redis: TestRedis;
const model: ModelRef = { id: 'echo', sha256: 'e'.repeat(64) };
beforeAll(async () => {
  redis = await startRedis({ password: 'pw farm' });
});
afterAll(async () => {
  await redis?.stop();
});

const tasks = (n: number): Array<FarmTask<'feature'>> =>
  Array.from({ length: n }, (_, i) => ({ kind: 'feature', payload: { model, layer: 'mixed0', channel: i, recipe: {} } }));

describe('submitJobs with a password-protected Redis', () => {
  it('keeps at most `window` jobs in Redis, delivers every result once, and removes each job after it', async () => {
    const connection = parseFarmUrl(redis.url);
    expect(connection.options.password).toBe('pw farm');
    const queue = openQueue(connection, model);
    const events = openQueueEvents(connection, model);
    let most = 0;
    const handlers = {
      feature: async (p: { channel: number }) => {
        const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
        most = Math.max(most, Object.values(counts).reduce((a, b) => a + b, 0));
        return { width: 1, height: 1, data: encodeBytes(Uint8Array.from([p.channel, 0, 0])) };
      },
    } as unknown as JobHandlers;
    const farm = startWorkers(connection, [{ model, handlers }], { concurrency: 2, lockMs: 5000 });
    await farm.ready;
    const got: number[] = [];
    const failures = await submitJobs(queue, events, taskList(tasks(12)), {
      window: 3,
      onResult: async (i, r) => {
        expect(Buffer.from(r.data, 'base64')[0]).toBe(i);
        got.push(i);
      },
    });
    expect(failures).toEqual([]);
    expect(got.sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(3);
    const left = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    expect(Object.values(left).reduce((a, b) => a + b, 0)).toBe(0);
    await farm.close();
    await Promise.all([events.close(), queue.close()]);
  });

  it('refuses a wrong password with a clear error', async () => {
    const bad = parseFarmUrl(redis.url.replace('pw%20farm', 'nope'));
    const queue = openQueue(bad, model);
    const error = new Promise<Error>((ok) => queue.once('error', ok));
    await expect(Promise.race([queue.getJobCounts(), error.then((e) => Promise.reject(e))])).rejects.toThrow(/WRONGPASS|invalid username-password|NOAUTH/);
    await queue.close().catch(() => undefined);
  });
});
