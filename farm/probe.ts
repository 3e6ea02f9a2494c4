// "Test connection": one short-lived Redis client that fails fast (no retry loop), answers PING,
// says which server it is and lists the workers whose heartbeats are live.
import { Redis } from 'ioredis';
import { listWorkers, type WorkerHeartbeat } from './heartbeat.ts';
import type { FarmConnection } from './url.ts';

export class FarmUnreachableError extends Error {
  override name = 'FarmUnreachableError';
}

export interface FarmProbe {
  /** The URL with any password hidden. */
  display: string;
  /** e.g. "redis 7.0.15" or "valkey 8.0.1". */
  server: string;
  workers: WorkerHeartbeat[];
  /** Round trip of one PING, in ms. */
  pingMs: number;
}

export async function probeFarm(connection: FarmConnection, timeoutMs = 3000): Promise<FarmProbe> {
  const redis = new Redis({ ...connection.options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError = '';
  redis.on('error', (err: Error) => (lastError = err.message));
  const timer = setTimeout(() => redis.disconnect(), timeoutMs * 2);
  try {
    await redis.connect();
    const t0 = performance.now();
    await redis.ping();
    const pingMs = performance.now() - t0;
    const info = await redis.info('server');
    const field = (name: string): string | undefined => new RegExp(`^${name}:(.+)$`, 'm').exec(info)?.[1]?.trim();
    const server = field('valkey_version') ? `valkey ${field('valkey_version')}` : `redis ${field('redis_version') ?? '?'}`;
    return { display: connection.display, server, workers: await listWorkers(redis), pingMs };
  } catch (err) {
    const why = (err as Error).message || lastError;
    throw new FarmUnreachableError(`Cannot reach the farm at ${connection.display}: ${why}${/NOAUTH|WRONGPASS|AUTH/i.test(why) ? ' (check the password in the URL)' : ''}.`);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
