// The submitting side: puts jobs of one run into a model's queue (a window at a time, so Redis holds
// at most `window` payloads: backpressure), hands each result to the caller as it arrives, and takes
// the job off Redis as soon as the caller has written what it returned. A job that fails for good is
// reported with its reason and removed; the others go on (a poisoned job fails alone).
import { randomUUID } from 'node:crypto';
import type { Queue, QueueEvents } from 'bullmq';
import { checkPayload, checkResult, type JobKind, type JobKinds } from './kinds.ts';

export interface FarmTask<K extends JobKind = JobKind> {
  kind: K;
  payload: JobKinds[K]['payload'];
}

/** Tasks made on demand, so a run of thousands holds only its window of payloads in memory. */
export interface TaskSource<K extends JobKind = JobKind> {
  length: number;
  get(index: number): Promise<FarmTask<K>> | FarmTask<K>;
}

export const taskList = <K extends JobKind>(tasks: ReadonlyArray<FarmTask<K>>): TaskSource<K> => ({ length: tasks.length, get: (i) => tasks[i]! });

export interface SubmitOptions<K extends JobKind> {
  /** Jobs in Redis at once (default 32). */
  window?: number;
  /** Tries per job before it fails for good (default 3); a payload the worker refuses fails at once. */
  attempts?: number;
  /** Job ids are `${runId}-${index}`: adding the same job twice is a no-op (BullMQ keeps one). */
  runId?: string;
  signal?: AbortSignal;
  /** Called once per finished job, in completion order; the job leaves Redis after it resolves. */
  onResult: (index: number, result: JobKinds[K]['result']) => Promise<void> | void;
  /** A job that failed for good (after its attempts), with the worker's reason. */
  onFailure?: (index: number, reason: string) => void;
}

export interface JobFailure {
  index: number;
  reason: string;
}

export class FarmJobsFailedError extends Error {
  override name = 'FarmJobsFailedError';
  /** `done`: what the other jobs of a flow returned, so the caller can still free what they hold. */
  constructor(readonly failures: JobFailure[], readonly done: unknown[] = []) {
    super(`${failures.length} farm job(s) failed: ${failures.slice(0, 5).map((f) => `#${f.index}: ${f.reason}`).join('; ')}${failures.length > 5 ? '; …' : ''}`);
  }
}

const POLL_MS = 500;

export async function submitJobs<K extends JobKind>(queue: Queue, events: QueueEvents, tasks: TaskSource<K>, options: SubmitOptions<K>): Promise<JobFailure[]> {
  const runId = options.runId ?? randomUUID().slice(0, 12);
  const window = Math.max(1, options.window ?? 32);
  const attempts = Math.max(1, options.attempts ?? 3);
  const idOf = (i: number): string => `${runId}-${i}`;
  const pending = new Map<string, number>();
  const failures: JobFailure[] = [];
  const client = await queue.getBackend().client;
  let next = 0;
  let wake: () => void = () => {};
  const ready = new Set<string>();
  const onEvent = ({ jobId }: { jobId: string }): void => {
    if (!pending.has(jobId)) return;
    ready.add(jobId);
    wake();
  };
  events.on('completed', onEvent);
  events.on('failed', onEvent);
  const kinds = new Map<number, JobKind>();
  const add = async (indices: number[]): Promise<void> => {
    const jobs = [];
    for (const i of indices) {
      const t = await tasks.get(i);
      checkPayload(t.kind, t.payload);
      kinds.set(i, t.kind);
      jobs.push({ name: t.kind, data: t.payload, opts: { jobId: idOf(i), attempts, backoff: { type: 'fixed' as const, delay: 500 }, removeOnComplete: false, removeOnFail: false } });
    }
    await queue.addBulk(jobs);
  };
  const settle = async (id: string): Promise<void> => {
    const index = pending.get(id)!;
    const state = await queue.getJobState(id);
    if (state === 'completed') {
      const raw = await client.hget(queue.toKey(id), 'returnvalue');
      const result = JSON.parse(raw ?? 'null') as unknown;
      checkResult(kinds.get(index)!, result);
      await options.onResult(index, result as JobKinds[K]['result']);
    } else if (state === 'failed') {
      const reason = (await client.hget(queue.toKey(id), 'failedReason')) ?? 'unknown reason';
      failures.push({ index, reason });
      options.onFailure?.(index, reason);
    } else if (state === 'unknown') {
      // Lost (a Redis without its append-only file): the job goes in again under the same id.
      await add([index]);
      return;
    } else {
      return;
    }
    pending.delete(id);
    kinds.delete(index);
    await queue.remove(id).catch(() => undefined);
  };
  try {
    while (next < tasks.length || pending.size > 0) {
      options.signal?.throwIfAborted();
      const batch: number[] = [];
      while (next < tasks.length && pending.size + batch.length < window) batch.push(next++);
      if (batch.length) {
        for (const i of batch) pending.set(idOf(i), i);
        await add(batch);
      }
      const timedOut = await new Promise<boolean>((resolve) => {
        if (ready.size) return resolve(false);
        const timer = setTimeout(() => resolve(true), POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = () => {};
      const ids = timedOut ? [...pending.keys()] : [...ready];
      ready.clear();
      for (const id of ids) if (pending.has(id)) await settle(id);
    }
  } catch (err) {
    // Cancelled or broken: jobs not yet taken leave the queue; ones in a worker's hands finish there.
    await Promise.all([...pending.keys()].map((id) => queue.remove(id).catch(() => undefined)));
    throw err;
  } finally {
    events.off('completed', onEvent);
    events.off('failed', onEvent);
  }
  return failures;
}
