// Job records nobody will read. A submitter removes each step and job once it has read them, but a
// submitter killed for good (a `reverie dream` that is not resumed) leaves its finished tile jobs and
// its step, waiting, in Redis forever; its tile keys and claims expire after BLOB_TTL_MS, the records
// would not. So every worker sweeps, now and then, the records older than that same hour: by then
// their tiles are gone from Redis, so no run could still use them (a resumed one sends its step again).
// Only finished jobs and steps whose tiles are all done are swept; a tile job still waiting for a
// worker is left alone, since a live submitter may be waiting for it behind a long queue.
import type { Queue } from 'bullmq';
import { BLOB_TTL_MS } from './blobs.ts';

/** Records removed per state and sweep at most (the next sweep takes the rest). */
const LIMIT = 1000;

/** Removes finished records older than `olderThanMs`: tile jobs done or failed, steps whose tiles are all done, steps failed. */
export async function sweepStaleRecords(tileQueues: readonly Queue[], stepQueue: Queue, olderThanMs = BLOB_TTL_MS): Promise<number> {
  let removed = 0;
  for (const q of tileQueues) for (const state of ['completed', 'failed'] as const) removed += (await q.clean(olderThanMs, LIMIT, state)).length;
  // A step in 'wait' has all its tiles done (BullMQ moves it there from waiting-children); none is processed.
  for (const state of ['wait', 'failed'] as const) removed += (await stepQueue.clean(olderThanMs, LIMIT, state)).length;
  return removed;
}

/** Sweeps every `everyMs` until stopped; a failed sweep (Redis restarting) waits for the next. */
export function startSweeping(tileQueues: readonly Queue[], stepQueue: Queue, everyMs: number, olderThanMs = BLOB_TTL_MS): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepStaleRecords(tileQueues, stepQueue, olderThanMs)
      .catch(() => undefined)
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
