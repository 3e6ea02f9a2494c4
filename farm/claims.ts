// Who still needs a step. Steps and tiles are content-addressed (flow.ts, blobs.ts), so two
// submitters of the same recipe, seed and image at once share flows, jobs and keys: the first to
// finish a step must not take away what the other still reads. So each submitter claims a step
// before adding or reattaching to it, and only the last claim to go removes the step's jobs and
// gradients; tile keys carry a count of their puts, and go when the last put is released.
// Claims are members of a sorted set scored by their deadline: a killed submitter's claim lapses
// with the keys' TTL, and `reverie resume` claims under the member the killed run used (the project
// folder names it), so it takes that claim over and cleans up after the step as the run would have.
import type { Redis } from 'ioredis';
import { BLOB_TTL_MS, refKey } from './blobs.ts';
import { FARM_PREFIX } from './queues.ts';

const CLAIMS = `${FARM_PREFIX}:claims:`;
const CLOSING = `${FARM_PREFIX}:closing:`;
/** How long the last claimant may take to remove a step before others may add it again. */
const CLOSING_MS = 30_000;

// 0: the step is being removed by its last claimant (wait, then add it afresh); 1: claimed.
const CLAIM = `if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;
// 1: this was the last live claim; the step is marked closing until its remover is done.
const RELEASE = `redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 1`;
// KEYS: blob, its count, blob, its count, ...: one release per put; a key goes at its last.
const UNREF = `local gone = 0
for i = 1, #KEYS, 2 do
  if redis.call('DECR', KEYS[i + 1]) <= 0 then
    redis.call('DEL', KEYS[i + 1])
    redis.call('UNLINK', KEYS[i])
    gone = gone + 1
  end
end
return gone`;

export interface StepClaims {
  /** Claims `step` for `member`; waits while its last claimant removes it (then it is added afresh). */
  claim(step: string, member: string, signal?: AbortSignal): Promise<void>;
  /** Drops the claim; when it was the last, runs `remove` (the step's jobs and gradients), then lets others in. */
  release(step: string, member: string, remove: () => Promise<void>): Promise<boolean>;
}

export function stepClaims(redis: Redis, ttlMs = BLOB_TTL_MS): StepClaims {
  return {
    async claim(step, member, signal) {
      const until = Date.now() + CLOSING_MS + 5000;
      while ((await redis.eval(CLAIM, 2, CLAIMS + step, CLOSING + step, member, Date.now() + ttlMs, ttlMs)) === 0) {
        signal?.throwIfAborted();
        if (Date.now() > until) throw new Error(`Step ${step} stays marked as closing in Redis.`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async release(step, member, remove) {
      const last = (await redis.eval(RELEASE, 2, CLAIMS + step, CLOSING + step, member, Date.now(), CLOSING_MS)) === 1;
      if (!last) return false;
      try {
        await remove();
      } finally {
        await redis.del(CLOSING + step);
      }
      return true;
    },
  };
}

/** Puts of tile keys released: each key's count goes down by one per listing, and the key goes at zero. */
export async function unrefBlobs(redis: Redis, keys: readonly string[]): Promise<number> {
  if (!keys.length) return 0;
  return (await redis.eval(UNREF, keys.length * 2, ...keys.flatMap((k) => [k, refKey(k)]))) as number;
}
