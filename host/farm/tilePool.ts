// The dream loop's tile gradients on a farm (the CLI's dream --farm and the app's dreams sent to it): the loop asks for every tile of a step at once (see
// engine/render/tiles.ts), so requests made in the same turn become one BullMQ flow, the step being
// the barrier. Tiles travel as float32 in the model's range, as raw bytes under their own Redis keys
// (farm/blobs.ts; `rawTiles: false` sends base64 inside the job, as before); gradients come back the
// same way, and every key of a step is deleted once its results are read.
import type { ObjectiveTerms } from '../../engine/parallel/protocol.ts';
import type { TileGradientSource } from '../../engine/render/tiles.ts';
import { flowRunner, STEP_QUEUE } from '../../farm/flow.ts';
import { Redis } from 'ioredis';
import { blobStore, float32Of } from '../../farm/blobs.ts';
import { encodeBytes, tileFloat32, type ModelRef } from '../../farm/kinds.ts';
import { openQueue, openQueueEvents, workersOnline } from '../../farm/queues.ts';
import type { FarmTask } from '../../farm/submit.ts';
import type { FarmConnection } from '../../farm/url.ts';

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

export function farmTilePool(connection: FarmConnection, model: ModelRef, signal?: AbortSignal, options: { rawTiles?: boolean } = {}): FarmTilePool {
  const raw = options.rawTiles ?? true;
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
  const flows = flowRunner(connection, model, { steps, stepEvents, tiles });
  let batch: Pending[] = [];
  const tilesByWorker = new Map<string, number>();
  const count = (names: Array<string | null>): void => {
    for (const n of names) tilesByWorker.set(n ?? '?', (tilesByWorker.get(n ?? '?') ?? 0) + 1);
  };
  const flush = async (): Promise<void> => {
    const mine = batch;
    batch = [];
    const keys: string[] = [];
    try {
      await stepEvents.waitUntilReady();
      const tasks = await Promise.all(mine.map(async (p): Promise<FarmTask<'dream-tile'>> => {
        const bytes = new Uint8Array(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength);
        const key = blobs ? await blobs.put(bytes) : undefined;
        if (key) keys.push(key);
        const tile = key ? { width: p.width, height: p.height, blob: key } : { width: p.width, height: p.height, data: encodeBytes(bytes) };
        return { kind: 'dream-tile', payload: { model, terms: p.terms, tile } };
      }));
      const results = await flows.run(tasks, signal, count);
      const gradients = await Promise.all(results.map(async (r) => {
        const g = r.gradient;
        if (!('blob' in g)) return tileFloat32(g);
        keys.push(g.blob);
        return float32Of(await blobs!.get(g.blob, g.width * g.height * 12));
      }));
      results.forEach((r, i) => mine[i]!.resolve({ value: r.value, gradient: gradients[i]! }));
    } catch (err) {
      for (const p of mine) p.reject(err);
    } finally {
      // Taken off Redis as soon as read (or the step failed); a killed run's keys expire by themselves.
      await blobs?.remove([...new Set(keys)]).catch(() => undefined);
    }
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
