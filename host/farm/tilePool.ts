// The dream loop's tile gradients on a farm (the CLI's dream --farm and the app's dreams sent to it):
// the loop asks for every tile of a step at once (engine/render/tiles.ts); the requests made in one
// turn go out as BullMQ flows of TILES_PER_FLOW tiles, pipelined (see sendChunk), each flow a barrier. Tiles travel as float32 in the model's range, as raw bytes under their own Redis keys
// (farm/blobs.ts; `rawTiles: false` sends base64 inside the job, as before); gradients come back the
// same way, and every key of a step is deleted once its results are read.
import type { ObjectiveTerms } from '../../engine/parallel/protocol.ts';
import type { TileGradientSource } from '../../engine/render/tiles.ts';
import { flowRunner, STEP_QUEUE } from '../../farm/flow.ts';
import { Redis } from 'ioredis';
import { blobStore, float32Of } from '../../farm/blobs.ts';
import { encodeBytes, tileFloat32, type GradientResult, type ModelRef } from '../../farm/kinds.ts';
import { openQueue, openQueueEvents, workersOnline } from '../../farm/queues.ts';
import { FarmJobsFailedError, type FarmTask } from '../../farm/submit.ts';
import type { FarmConnection } from '../../farm/url.ts';

/** Tiles per flow: small enough that the workers start early, large enough that a flow's own round trips stay few. */
export const TILES_PER_FLOW = 4;

interface Pending {
  pixels: Float32Array;
  width: number;
  height: number;
  terms: Record<string, unknown>;
  resolve: (r: { value: number; gradient: Float32Array }) => void;
  reject: (e: unknown) => void;
}

export interface FarmTilePool extends TileGradientSource {
  workers(): Promise<number>;
  /** Tiles each worker (by BullMQ name) has computed for this pool so far. */
  readonly tilesByWorker: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export function farmTilePool(connection: FarmConnection, model: ModelRef, signal?: AbortSignal, options: { rawTiles?: boolean; chunk?: number } = {}): FarmTilePool {
  const raw = options.rawTiles ?? true;
  const chunk = Math.max(1, options.chunk ?? TILES_PER_FLOW);
  const redis = raw ? new Redis({ ...connection.options }) : undefined;
  redis?.on('error', () => undefined);
  const blobs = redis ? blobStore(redis) : undefined;
  const steps = openQueue(connection, STEP_QUEUE);
  const stepEvents = openQueueEvents(connection, STEP_QUEUE);
  const tiles = openQueue(connection, model);
  // ioredis reconnects by itself; unheard 'error' events would end the process.
  steps.on('error', () => undefined);
  tiles.on('error', () => undefined);
  stepEvents.on('error', () => undefined);
  stepEvents.setMaxListeners(0); // each flow in flight listens for its own barrier
  const flows = flowRunner(connection, model, { steps, stepEvents, tiles });
  let batch: Pending[] = [];
  const tilesByWorker = new Map<string, number>();
  const count = (names: Array<string | null>): void => {
    for (const n of names) tilesByWorker.set(n ?? '?', (tilesByWorker.get(n ?? '?') ?? 0) + 1);
  };
  // A step goes out in flows of `chunk` tiles, one after another: while the workers compute the
  // first flows, the submitter writes the next flows' tiles, and it reads each flow's gradients as
  // soon as that flow is done, not after the whole step. Only the first flow's upload and the last
  // flow's download cannot overlap the workers' compute. A flow's id is its tiles' content, so a
  // resumed run cuts the same flows and reattaches to each. Keys are content hashes, so two flows of
  // a step can share one (equal tiles, equal gradients): a step's keys all go together at its end.
  /** Writes a chunk's tiles and adds its flow (`sent`), then reads its gradients when it is done (`done`: how to settle its tiles). */
  const sendChunk = (mine: Pending[], keys: string[]): { sent: Promise<void>; done: Promise<() => void> } => {
    let sent!: () => void;
    const sentP = new Promise<void>((resolve) => (sent = resolve));
    const done = (async (): Promise<() => void> => {
      try {
        let results: GradientResult[];
        for (let attempt = 0; ; attempt++) {
          signal?.throwIfAborted();
          const tasks: Array<FarmTask<'dream-tile'>> = [];
          for (const p of mine) {
            const bytes = new Uint8Array(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength);
            const key = blobs ? await blobs.put(bytes) : undefined;
            if (key) keys.push(key);
            const tile = key ? { width: p.width, height: p.height, blob: key } : { width: p.width, height: p.height, data: encodeBytes(bytes) };
            tasks.push({ kind: 'dream-tile', payload: { model, terms: p.terms, tile } });
          }
          const running = flows.run(tasks, signal, count);
          sent();
          try {
            results = await running;
            break;
          } catch (err) {
            // The same step left by a cancelled run (which took its tiles off Redis) failed for want of
            // them just as this run reattached: the tiles are back now, so the step goes out afresh, once.
            if (attempt > 0 || signal?.aborted || !tilesWereGone(err)) throw err;
          }
        }
        const gradients: Float32Array[] = [];
        for (const r of results) {
          const g = r.gradient;
          if (!('blob' in g)) gradients.push(tileFloat32(g));
          else {
            keys.push(g.blob);
            gradients.push(float32Of(await blobs!.get(g.blob, g.width * g.height * 12)));
          }
        }
        return () => results.forEach((r, i) => mine[i]!.resolve({ value: r.value, gradient: gradients[i]! }));
      } catch (err) {
        // The flow's other tiles computed: their gradients' keys go too.
        if (err instanceof FarmJobsFailedError) for (const r of err.done as GradientResult[]) if ('blob' in r.gradient) keys.push(r.gradient.blob);
        return () => mine.forEach((p) => p.reject(err));
      } finally {
        sent();
      }
    })();
    return { sent: sentP, done };
  };
  const flush = async (): Promise<void> => {
    const mine = batch;
    batch = [];
    try {
      await stepEvents.waitUntilReady();
    } catch (err) {
      for (const p of mine) p.reject(err);
      return;
    }
    const keys: string[] = [];
    const runs: Array<Promise<() => void>> = [];
    for (let i = 0; i < mine.length; i += chunk) {
      // One chunk's tiles at a time into Redis; the workers start on a chunk as soon as it is there.
      const { sent, done } = sendChunk(mine.slice(i, i + chunk), keys);
      runs.push(done);
      await sent;
    }
    const settle = await Promise.all(runs);
    // Taken off Redis once the step is read (or failed); a killed run's keys expire by themselves. The
    // UNLINK is queued before the tiles settle, so the next step's writes (same connection) follow it.
    const removed = blobs?.remove([...new Set(keys)]).catch(() => undefined);
    for (const s of settle) s();
    await removed;
  };
  return {
    gradient(pixels: Float32Array, height: number, width: number, terms: ObjectiveTerms) {
      return new Promise((resolve, reject) => {
        if (batch.length === 0) setImmediate(() => void flush());
        batch.push({ pixels, width, height, terms: { layers: terms.layers, channels: terms.channels, classes: terms.classes ?? [] }, resolve, reject });
      });
    },
    workers: async () => (await workersOnline(tiles)).length,
    tilesByWorker,
    async close() {
      await flows.close();
      await Promise.allSettled([steps.close(), stepEvents.close(), tiles.close(), redis?.quit()]);
    },
  };
}

/** Every failure of a flow was a tile missing from Redis (the worker found no blob for it). */
function tilesWereGone(err: unknown): boolean {
  return err instanceof FarmJobsFailedError && err.failures.length > 0 && err.failures.every((f) => /no longer in Redis/.test(f.reason));
}
