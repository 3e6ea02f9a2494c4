// The working side: one BullMQ Worker per model queue this process can serve. BullMQ renews each
// job's lock while it runs (the heartbeat); a worker that dies stops renewing, and another worker's
// stalled-job check puts the job back in the queue. close() is the graceful drain: no new jobs, and
// the ones in hand finish first.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { blobStore, type BlobStore } from './blobs.ts';
import { checkPayload, encodeBytes, FarmPayloadError, type DreamTilePayload, type GradientResult, type JobKind, type JobKinds } from './kinds.ts';
import { STEP_QUEUE } from './flow.ts';
import { startSweeping } from './janitor.ts';
import { FARM_PREFIX, openQueue, queueName } from './queues.ts';
import type { FarmConnection } from './url.ts';
import type { ModelRef } from './kinds.ts';

export type JobHandlers = { [K in JobKind]: (payload: JobKinds[K]['payload'], signal: AbortSignal) => Promise<JobKinds[K]['result']> };

export interface WorkerOptions {
  concurrency?: number;
  /** How long a job's lock lasts without renewal; a dead worker's job returns after about this long. */
  lockMs?: number;
  name?: string;
  onEvent?: (e: { type: 'active' | 'completed' | 'failed'; kind: string; id: string; model: string; ms?: number; reason?: string }) => void;
  /** Connection trouble (Redis restarting, network): BullMQ reconnects by itself; this only reports it. */
  onError?: (err: Error) => void;
  /** How often this worker sweeps job records of runs nobody will read (janitor.ts); 0: never. */
  sweepEveryMs?: number;
  /** The age past which such records go (default: the tile keys' hour). */
  recordTtlMs?: number;
}

/** Every worker sweeps; a sweep is a few scripts, and a farm without workers has no new records. */
const SWEEP_EVERY_MS = 5 * 60_000;

export interface FarmWorker {
  /** Resolves when every worker is connected and waiting for jobs. */
  ready: Promise<void>;
  /** Graceful drain: stop taking jobs, finish the ones in hand, disconnect. */
  close(): Promise<void>;
}

export function startWorkers(connection: FarmConnection, served: ReadonlyArray<{ model: ModelRef; handlers: JobHandlers }>, options: WorkerOptions = {}): FarmWorker {
  const lockMs = options.lockMs ?? 60_000;
  const blobRedis = new Redis({ ...connection.options });
  blobRedis.on('error', (err) => options.onError?.(err));
  const blobs = blobStore(blobRedis);
  const workers = served.map(({ model, handlers }) => {
    const processor = async (job: Job): Promise<unknown> => {
      const started = performance.now();
      options.onEvent?.({ type: 'active', kind: job.name, id: String(job.id), model: model.id });
      try {
        // A payload that breaks the schema, or names another model, will never succeed: fail it now.
        checkPayload(job.name, job.data);
        const data = job.data as { model: ModelRef };
        if (data.model.sha256 !== model.sha256 || data.model.id !== model.id) throw new FarmPayloadError(`job is for model ${data.model.id} (${data.model.sha256.slice(0, 12)}), this queue serves ${model.id} (${model.sha256.slice(0, 12)}).`);
        const run = handlers[job.name as JobKind] as (p: unknown, s: AbortSignal) => Promise<unknown>;
        const result = job.name === 'dream-tile' ? await runTile(blobs, String(job.id), job.data as DreamTilePayload, run) : await run(job.data, new AbortController().signal);
        options.onEvent?.({ type: 'completed', kind: job.name, id: String(job.id), model: model.id, ms: performance.now() - started });
        return result;
      } catch (err) {
        const e = err as Error;
        options.onEvent?.({ type: 'failed', kind: job.name, id: String(job.id), model: model.id, reason: `${e.name}: ${e.message}` });
        if (err instanceof FarmPayloadError || isInputError(e)) throw new UnrecoverableError(`${e.name}: ${e.message}`);
        throw err;
      }
    };
    const worker = new Worker(queueName(model), processor, {
      connection: { ...connection.options },
      prefix: FARM_PREFIX,
      concurrency: options.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
      // A job whose worker died twice is suspect (it may be what kills them): it fails for good.
      maxStalledCount: 2,
      ...(options.name ? { name: options.name } : {}),
      autorun: true,
    });
    // Without a listener an 'error' event would end the process; a Redis restart is not fatal.
    worker.on('error', (err) => options.onError?.(err));
    return worker;
  });
  const sweepEvery = options.sweepEveryMs ?? SWEEP_EVERY_MS;
  const swept = sweepEvery > 0 ? [...served.map(({ model }) => openQueue(connection, model)), openQueue(connection, STEP_QUEUE)] : [];
  for (const q of swept) q.on('error', (err) => options.onError?.(err));
  const sweeper = swept.length ? startSweeping(swept.slice(0, -1), swept.at(-1)!, sweepEvery, options.recordTtlMs) : undefined;
  return {
    ready: Promise.all(workers.map((w) => w.waitUntilReady())).then(() => undefined),
    async close() {
      sweeper?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.allSettled(swept.map((q) => q.close()));
      await blobRedis.quit().catch(() => blobRedis.disconnect());
    },
  };
}

/**
 * A tile job: its pixels read from their Redis key (when sent so), its gradient sent back the same
 * way under a key of this job's own (a rerun writes the same one), which its step removes when read.
 */
async function runTile(blobs: BlobStore, jobId: string, p: DreamTilePayload, run: (p: unknown, s: AbortSignal) => Promise<unknown>): Promise<GradientResult> {
  const { width, height } = p.tile;
  const tile = 'blob' in p.tile ? { width, height, bytes: await blobs.get(p.tile.blob, width * height * 12) } : p.tile;
  const r = (await run({ ...p, tile }, new AbortController().signal)) as GradientResult;
  if (!('bytes' in r.gradient)) return r;
  const g = r.gradient;
  return { value: r.value, gradient: 'blob' in p.tile ? { width: g.width, height: g.height, blob: await blobs.put(g.bytes, { salt: jobId }) } : { width: g.width, height: g.height, data: encodeBytes(g.bytes) } };
}

/** Errors that say the input is wrong (a recipe, a layer, a size): retrying cannot help. */
function isInputError(e: Error): boolean {
  return ['RecipeError', 'FeatureRecipeError', 'UnknownLayerError', 'ImageTooSmallError', 'RangeError', 'ChannelListError'].includes(e.name);
}
