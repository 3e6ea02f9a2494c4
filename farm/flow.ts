// One barrier of jobs (the tiles of one octave step) as a BullMQ flow: the tiles are children in the
// model's queue, the step is their parent in a queue no worker takes from. BullMQ moves the parent
// out of "waiting-children" only when every tile has completed, so the parent's state is the barrier;
// its children's values are the step's results in one read, and removing it removes them all.
// A step's id is the hash of its model and tasks: a submitter killed mid-step leaves its flow in
// Redis, and the same step submitted again (reverie resume) reattaches to it, taking the tiles
// already computed instead of starting over; same inputs, same results, so nothing can mix. Two
// submitters of the same step at once share it too: each claims it first (claims.ts), and only the
// last to release its claim removes the step, its tiles' jobs and their gradients.
import { createHash } from 'node:crypto';
import { FlowProducer, Job, type Queue, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { isBlobKey } from './blobs.ts';
import { stepClaims } from './claims.ts';
import { checkPayload, checkResult, type JobKind, type JobKinds } from './kinds.ts';
import { FARM_PREFIX, queueName } from './queues.ts';
import type { FarmTask, JobFailure } from './submit.ts';
import { FarmJobsFailedError } from './submit.ts';
import type { FarmConnection } from './url.ts';
import type { ModelRef } from './kinds.ts';

/** The queue of barrier (parent) jobs; no worker listens on it. */
export const STEP_QUEUE = 'steps';
const POLL_MS = 250;

export interface FlowRun<R> {
  results: R[];
  /** Drops this run's claim on the step once its results are read; the last claim removes the step and its gradients. */
  release(): Promise<void>;
}

export interface FlowOptions {
  /** This submitter's claim on the step (stable across `reverie resume`, distinct between submitters). */
  member: string;
  signal?: AbortSignal | undefined;
  /**
   * Which worker (its BullMQ name; null: unknown) computed a task: once per task, as it completes
   * when the queues have the tiles' events, else when the step is read.
   */
  onTile?: ((index: number, worker: string | null) => void) | undefined;
}

export interface FlowRunner {
  run<K extends JobKind>(tasks: ReadonlyArray<FarmTask<K>>, options: FlowOptions): Promise<FlowRun<JobKinds[K]['result']>>;
  close(): Promise<void>;
}

/** The step vanished, or its results or gradients went, before this submitter read them: run it again. */
export class FarmStepLostError extends Error {
  override name = 'FarmStepLostError';
}

export interface FlowQueues {
  /** The barrier queue, with its events for low latency. */
  steps: Queue;
  stepEvents: QueueEvents;
  /** The model's queue, where the children run. */
  tiles: Queue;
  /** Its events, for each tile's completion as it happens (optional: else tiles are heard at the step's end). */
  tileEvents?: QueueEvents;
}

export function flowRunner(connection: FarmConnection, model: ModelRef, queues: FlowQueues, attempts = 3): FlowRunner {
  const { steps, stepEvents } = queues;
  const producer = new FlowProducer({ connection: { ...connection.options }, prefix: FARM_PREFIX });
  producer.on('error', () => undefined); // reconnects by itself; failures surface on the calls
  const tiles = queueName(model);
  return {
    async run<K extends JobKind>(tasks: ReadonlyArray<FarmTask<K>>, options: FlowOptions): Promise<FlowRun<JobKinds[K]['result']>> {
      const { signal, onTile, member } = options;
      for (const t of tasks) checkPayload(t.kind, t.payload);
      const runId = stepId(model, tasks);
      const client = (await steps.getBackend().client) as unknown as Redis;
      const claims = stepClaims(client);
      // The claim and the look for a failed step of the same content (below) share a round trip.
      const [, stateBefore] = await Promise.all([claims.claim(runId, member, signal), steps.getJobState(runId)]);
      let gradients: string[] = [];
      const release = async (): Promise<void> => {
        await claims.release(runId, member, async () => {
          const parent = await Job.fromId(steps, runId).catch(() => undefined);
          await parent?.remove({ removeChildren: true }).catch(() => undefined);
          // UNLINK: Redis frees the megabytes in the background instead of in its one command thread.
          if (gradients.length) await client.unlink(...gradients);
        }).catch(() => undefined);
      };
      let readds = 0;
      let wake: () => void = () => {};
      const onEvent = ({ jobId }: { jobId: string }): void => {
        if (jobId === runId) wake();
      };
      stepEvents.on('waiting', onEvent);
      stepEvents.on('failed', onEvent);
      const heard = new Set<number>();
      const hear = (i: number, worker: string | null): void => {
        if (heard.has(i)) return;
        heard.add(i);
        onTile?.(i, worker);
      };
      const onTileDone = ({ jobId }: { jobId: string }): void => {
        const i = jobId.startsWith(`${runId}-`) ? Number(jobId.slice(runId.length + 1)) : -1;
        if (!Number.isInteger(i) || i < 0 || i >= tasks.length || heard.has(i)) return;
        void processedBy(queues.tiles, [jobId]).then(([worker]) => hear(i, worker ?? null), () => undefined);
      };
      if (onTile) queues.tileEvents?.on('completed', onTileDone);
      let ok = false;
      try {
        // A step of the same content that failed before (a killed run's poisoned tile) is tried afresh.
        if (stateBefore === 'failed') await (await Job.fromId(steps, runId))?.remove({ removeChildren: true }).catch(() => undefined);
        const add = () => producer.add({
          name: 'step',
          queueName: STEP_QUEUE,
          data: { tiles: tasks.length },
          opts: { jobId: runId, removeOnComplete: true, removeOnFail: false },
          children: tasks.map((t, i) => ({
            name: t.kind,
            queueName: tiles,
            data: t.payload,
            opts: { jobId: `${runId}-${i}`, attempts, backoff: { type: 'fixed', delay: 500 }, failParentOnFailure: true, removeOnComplete: false, removeOnFail: false },
          })),
        });
        await add();
        let parent: Job | undefined;
        let failedStep = false;
        for (;;) {
          signal?.throwIfAborted();
          const state = await steps.getJobState(runId);
          failedStep = state === 'failed';
          if (state === 'waiting' || state === 'prioritized' || state === 'failed') parent = await Job.fromId(steps, runId);
          if (parent) break;
          if (state !== 'waiting-children') {
            // Gone: another submitter of the same step took it off, or Redis lost it (no append-only file).
            if (++readds > 3) throw new FarmStepLostError(`The farm lost step ${runId} (was Redis restarted without its append-only file?).`);
            await add();
            continue;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, POLL_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        if (failedStep) {
          gradients = Object.values(await parent.getChildrenValues().catch(() => ({}))).flatMap(blobsIn);
          const failures: JobFailure[] = [];
          for (let i = 0; i < tasks.length; i++) {
            const child = await Job.fromId(queues.tiles, `${runId}-${i}`).catch(() => undefined);
            if (child?.failedReason) failures.push({ index: i, reason: child.failedReason });
          }
          throw new FarmJobsFailedError(failures.length ? failures : [{ index: -1, reason: parent.failedReason ?? 'unknown reason' }]);
        }
        // The values and who computed them in one round trip's time (parallel requests share the socket).
        const ids = tasks.map((_, i) => `${runId}-${i}`);
        const unheard = onTile ? ids.flatMap((id, i) => (heard.has(i) ? [] : [{ id, i }])) : [];
        const [values, names] = await Promise.all([parent.getChildrenValues(), processedBy(queues.tiles, unheard.map((u) => u.id))]);
        const results: Array<JobKinds[K]['result']> = [];
        const failed: JobFailure[] = [];
        for (const [i, t] of tasks.entries()) {
          // A child finished twice (its lock lapsed while it computed) can miss the parent's list; its own hash has the value.
          let value = values[`${FARM_PREFIX}:${tiles}:${runId}-${i}`] as unknown;
          if (value === undefined || value === null) {
            const child = await Job.fromId(queues.tiles, `${runId}-${i}`);
            value = child?.returnvalue;
            // BullMQ may release the parent even though a child failed for good (an unrecoverable error).
            if ((value === undefined || value === null) && child?.failedReason) {
              failed.push({ index: i, reason: child.failedReason });
              continue;
            }
          }
          // Removed under this run (a claim that lapsed): the step can only be run again.
          if (value === undefined || value === null) throw new FarmStepLostError(`Step ${runId}: the farm returned no result for tile ${i} of ${tasks.length}.`);
          checkResult(t.kind, value);
          results.push(value as JobKinds[K]['result']);
        }
        gradients = results.flatMap(blobsIn);
        if (failed.length) throw new FarmJobsFailedError(failed, results);
        unheard.forEach((u, k) => hear(u.i, names[k] ?? null));
        ok = true;
        return { results, release };
      } finally {
        stepEvents.off('waiting', onEvent);
        stepEvents.off('failed', onEvent);
        queues.tileEvents?.off('completed', onTileDone);
        // A failed or abandoned step is released at once; a read one when its caller has read the gradients.
        if (!ok) await release();
      }
    },
    async close() {
      await producer.close();
    },
  };
}

/** The worker that ran each job (BullMQ keeps its name in the job hash's "pb" field). */
async function processedBy(queue: Queue, ids: string[]): Promise<Array<string | null>> {
  if (!ids.length) return [];
  const client = await queue.getBackend().client;
  return Promise.all(ids.map((id) => client.hget(queue.toKey(id), 'pb').catch(() => null)));
}

/** Gradient keys a result names (a dream tile's, sent as raw bytes). */
function blobsIn(result: unknown): string[] {
  const blob = (result as { gradient?: { blob?: unknown } } | null)?.gradient?.blob;
  return isBlobKey(blob) ? [blob] : [];
}

/** The id of a step: its model and tasks, hashed (see the header). */
function stepId(model: ModelRef, tasks: ReadonlyArray<FarmTask>): string {
  const hash = createHash('sha256').update(model.sha256);
  for (const t of tasks) hash.update(t.kind).update(JSON.stringify(t.payload));
  return `s${hash.digest('hex').slice(0, 32)}`;
}
