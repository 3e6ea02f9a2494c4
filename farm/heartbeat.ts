// Workers say who they are: every few seconds each `reverie worker` writes one small Redis key
// (its name, device, models, jobs in hand and recent throughput) that expires unless renewed, so a
// worker that dies drops off the list within seconds. BullMQ's own lock renewal is the job-level
// heartbeat; this one is for people (Settings' "workers online", "N workers" on a farm job).
import { Redis } from 'ioredis';
import { FARM_PREFIX } from './queues.ts';
import type { FarmConnection } from './url.ts';

export const HEARTBEAT_PREFIX = `${FARM_PREFIX}:worker:`;
/** The throughput window: jobs finished in the last minute. */
const RECENT_MS = 60_000;

export interface WorkerHeartbeat {
  /** The BullMQ worker name (host:pid:models), also the job's `processedBy`. */
  name: string;
  host: string;
  pid: number;
  /** Where its jobs run, e.g. "onnxruntime-node cpu · Intel Xeon ×2". */
  device: string;
  models: string[];
  concurrency: number;
  /** Jobs running now. */
  active: number;
  /** Jobs finished since it started, and in the last minute. */
  done: number;
  recentDone: number;
  /** Mean milliseconds per job over the last minute (null: none finished in it). */
  recentMsPerJob: number | null;
  startedAt: string;
  /** When this beat was written (the reader compares with its own clock only loosely). */
  at: string;
}

export type WorkerIdentity = Pick<WorkerHeartbeat, 'name' | 'host' | 'pid' | 'device' | 'models' | 'concurrency'>;

export interface Heartbeat {
  jobStarted(): void;
  jobEnded(ms: number | undefined): void;
  /** Writes a beat now (also done every `everyMs`). */
  beat(): Promise<void>;
  /** Removes this worker from the list and disconnects. */
  stop(): Promise<void>;
}

export function startHeartbeat(connection: FarmConnection, who: WorkerIdentity, everyMs = 2000): Heartbeat {
  const redis = new Redis({ ...connection.options, lazyConnect: false });
  redis.on('error', () => undefined); // reconnects by itself; a missed beat only ages the entry
  const key = HEARTBEAT_PREFIX + who.name;
  const startedAt = new Date().toISOString();
  let active = 0;
  let done = 0;
  const recent: Array<{ at: number; ms: number }> = [];
  const snapshot = (): WorkerHeartbeat => {
    const now = Date.now();
    while (recent.length && recent[0]!.at < now - RECENT_MS) recent.shift();
    const ms = recent.reduce((a, r) => a + r.ms, 0);
    return { ...who, active, done, recentDone: recent.length, recentMsPerJob: recent.length ? Math.round(ms / recent.length) : null, startedAt, at: new Date(now).toISOString() };
  };
  const beat = async (): Promise<void> => {
    await redis.set(key, JSON.stringify(snapshot()), 'PX', everyMs * 3).catch(() => undefined);
  };
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  void beat();
  return {
    jobStarted() {
      active++;
    },
    jobEnded(ms) {
      active = Math.max(0, active - 1);
      if (ms === undefined) return;
      done++;
      recent.push({ at: Date.now(), ms });
    },
    beat,
    async stop() {
      clearInterval(timer);
      await redis.del(key).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Checks a worker's beat as read back (other processes wrote it): a malformed one is skipped. */
function parseBeat(text: string | null): WorkerHeartbeat | null {
  if (!text || text.length > 8192) return null;
  try {
    const b = JSON.parse(text) as Partial<WorkerHeartbeat>;
    if (typeof b.name !== 'string' || typeof b.device !== 'string' || !Array.isArray(b.models) || typeof b.done !== 'number') return null;
    return b as WorkerHeartbeat;
  } catch {
    return null;
  }
}

/** The workers whose beat has not expired, by name. */
export async function listWorkers(redis: Redis): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${HEARTBEAT_PREFIX}*`, 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0' && keys.length < 10_000);
  if (!keys.length) return [];
  const values = await redis.mget(...keys);
  return values.map(parseBeat).filter((b): b is WorkerHeartbeat => b !== null).sort((a, b) => a.name.localeCompare(b.name));
}
