// The dream loop's tile gradients on a farm (the CLI's dream --farm and the app's dreams sent to it):
// the loop asks for every tile of a step at once (engine/render/tiles.ts); the requests made in one
// turn go out as BullMQ flows of TILES_PER_FLOW tiles, pipelined (see sendChunk), each flow a barrier. Tiles travel as float32 in the model's range, as raw bytes under their own Redis keys
// (farm/blobs.ts; `rawTiles: false` sends base64 inside the job, as before); gradients come back the
// same way. Two submitters of the same dream at once share steps and keys; claims (farm/claims.ts)
// keep each until the last of them has read it.
import type { ObjectiveTerms } from '../../engine/parallel/protocol.ts';
import type { TileGradientSource } from '../../engine/render/tiles.ts';
import { randomUUID } from 'node:crypto';
import { FarmStepLostError, flowRunner, STEP_QUEUE } from '../../farm/flow.ts';
import { Redis } from 'ioredis';
import { BlobGoneError, blobStore, float32Of } from '../../farm/blobs.ts';
import { unrefBlobs } from '../../farm/claims.ts';
import { encodeBytes, tileFloat32, type ModelRef } from '../../farm/kinds.ts';
import { openQueue, openQueueEvents, workersOnline } from '../../farm/queues.ts';
import { FarmJobsFailedError, type FarmTask } from '../../farm/submit.ts';
import type { FarmConnection } from '../../farm/url.ts';

/** Tiles per flow: small enough that the workers start early, large enough that a flow's own round trips stay few. */
export const TILES_PER_FLOW = 4;
/** Runs of a chunk whose step or keys went from under it (see `lost`). */
const LOST_TRIES = 3;

/** A run that lost its step or a key to another submitter or to expiry: running it again can succeed. */
function lost(err: unknown): boolean {
  if (err instanceof FarmStepLostError || err instanceof BlobGoneError) return true;
  return err instanceof FarmJobsFailedError && err.failures.length > 0 && err.failures.every((f) => f.reason.startsWith('BlobGoneError'));
}

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

export interface TilePoolOptions {
  rawTiles?: boolean;
  chunk?: number;
  /**
   * This submitter's name in its steps' claims (farm/claims.ts): a run that can be resumed names
   * itself the same way each time (its project), so a resume takes over the killed run's claims.
   */
  claimant?: string;
  /** Heard as each tile completes, with the worker that computed it (its BullMQ name; '?': unknown). */
  onTile?: (worker: string) => void;
}

export function farmTilePool(connection: FarmConnection, model: ModelRef, signal?: AbortSignal, options: TilePoolOptions = {}): FarmTilePool {
  const raw = options.rawTiles ?? true;
  const claimant = options.claimant ?? randomUUID();
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
  // The tiles' own events only when someone listens to each tile (one more connection).
  const tileEvents = options.onTile ? openQueueEvents(connection, model) : undefined;
  tileEvents?.on('error', () => undefined);
  tileEvents?.setMaxListeners(0);
  const flows = flowRunner(connection, model, { steps, stepEvents, tiles, ...(tileEvents ? { tileEvents } : {}) });
  let batch: Pending[] = [];
  const tilesByWorker = new Map<string, number>();
  // Counted per tile as it completes (the model queue's events), so "per worker" moves within a step.
  const count = (_: number, worker: string | null): void => {
    const name = worker ?? '?';
    tilesByWorker.set(name, (tilesByWorker.get(name) ?? 0) + 1);
    options.onTile?.(name);
  };
  // A step goes out in flows of `chunk` tiles, one after another: while the workers compute the
  // first flows, the submitter writes the next flows' tiles, and it reads each flow's gradients as
  // soon as that flow is done, not after the whole step. Only the first flow's upload and the last
  // flow's download cannot overlap the workers' compute. A flow's id is its tiles' content, so a
  // resumed run cuts the same flows and reattaches to each. Tile keys are content hashes, so two flows
  // of a step (or two submitters) can share one: each put is counted, and released at the step's end.
  /** Writes a chunk's tiles and adds its flow (`sent`), then reads its gradients when it is done (`done`: how to settle its tiles). */
  const sendChunk = (mine: Pending[], keys: string[], member: string): { sent: Promise<void>; done: Promise<() => void> } => {
    let sent!: () => void;
    const sentP = new Promise<void>((resolve) => (sent = resolve));
    const attempt = async (): Promise<() => void> => {
      signal?.throwIfAborted();
      const bytesOf = (p: Pending): Uint8Array => new Uint8Array(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength);
      // Counted: each put is released once at the step's end (keys), whoever else shares the key. All
      // at once: the next tile's hash overlaps the previous one's bytes going out on the socket.
      const put = blobs ? await Promise.all(mine.map((p) => blobs.put(bytesOf(p), { counted: true }))) : undefined;
      if (put) keys.push(...put);
      const tasks: Array<FarmTask<'dream-tile'>> = mine.map((p, i) => ({
        kind: 'dream-tile',
        payload: { model, terms: p.terms, tile: put ? { width: p.width, height: p.height, blob: put[i]! } : { width: p.width, height: p.height, data: encodeBytes(bytesOf(p)) } },
      }));
      const running = flows.run(tasks, { member, signal, onTile: count });
      sent();
      const { results, release } = await running;
      try {
        // Requested together: one round trip's wait for the chunk, not one per tile.
        const gradients = await Promise.all(results.map(async ({ gradient: g }) => ('blob' in g ? float32Of(await blobs!.get(g.blob, g.width * g.height * 12)) : tileFloat32(g))));
        return () => results.forEach((r, i) => mine[i]!.resolve({ value: r.value, gradient: gradients[i]! }));
      } finally {
        // Before the tiles settle: when a step's tiles are back, Redis no longer holds what they needed.
        await release();
      }
    };
    const done = (async (): Promise<() => void> => {
      try {
        // Something this run needed went under it (a claim that lapsed, a key expired): the same
        // tiles, put again, make the same step again, a few times at most.
        for (let tries = 1; ; tries++) {
          try {
            return await attempt();
          } catch (err) {
            if (tries >= LOST_TRIES || !lost(err)) throw err;
          }
        }
      } catch (err) {
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
      await Promise.all([stepEvents.waitUntilReady(), tileEvents?.waitUntilReady()]);
    } catch (err) {
      for (const p of mine) p.reject(err);
      return;
    }
    const keys: string[] = [];
    const runs: Array<Promise<() => void>> = [];
    for (let i = 0; i < mine.length; i += chunk) {
      // One chunk's tiles at a time into Redis; the workers start on a chunk as soon as it is there.
      // Its claim is this pool's and the chunk's place: the same on a resumed run, distinct within a step.
      const { sent, done } = sendChunk(mine.slice(i, i + chunk), keys, `${claimant}:${i / chunk}`);
      runs.push(done);
      await sent;
    }
    const settle = await Promise.all(runs);
    // Each put of this step is released (a killed run's puts expire by themselves); a key goes when
    // no submitter holds it any more. Queued before the tiles settle, so the next step's writes
    // (same connection) follow it.
    const removed = redis ? unrefBlobs(redis, keys).catch(() => undefined) : undefined;
    for (const s of settle) s();
    await removed;
  };
  // Steps whose keys are still being released after their tiles settled: close() waits for them.
  const flushing = new Set<Promise<void>>();
  const startFlush = (): void => {
    const f = flush().finally(() => flushing.delete(f));
    flushing.add(f);
  };
  return {
    gradient(pixels: Float32Array, height: number, width: number, terms: ObjectiveTerms) {
      return new Promise((resolve, reject) => {
        if (batch.length === 0) setImmediate(startFlush);
        batch.push({ pixels, width, height, terms: { layers: terms.layers, channels: terms.channels, classes: terms.classes ?? [] }, resolve, reject });
      });
    },
    workers: async () => (await workersOnline(tiles)).length,
    tilesByWorker,
    async close() {
      await Promise.allSettled([...flushing]);
      await flows.close();
      await Promise.allSettled([steps.close(), stepEvents.close(), tileEvents?.close(), tiles.close(), redis?.quit()]);
    },
  };
}
