// A test file's own redis-server and client, started before its tests and stopped after them. Kept
// apart from redis.ts, which the benches import outside vitest.
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './redis.ts';

/**
 * A redis-server and a client on it for one test file: started before its tests, stopped after them.
 * Read both inside the tests (they exist once beforeAll has run).
 */
export function useTestRedis(): { readonly redis: TestRedis; readonly client: Redis } {
  let redis: TestRedis | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });
  return {
    get redis() {
      if (!redis) throw new Error('redis-server is not started yet (read it inside a test)');
      return redis;
    },
    get client() {
      if (!client) throw new Error('redis-server is not started yet (read it inside a test)');
      return client;
    },
  };
}
