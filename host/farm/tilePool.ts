// The dream loop's tile gradients on a farm (the CLI's dream --farm and the app's dreams sent to it): the loop asks for every tile of a step at once (see
// engine/render/tiles.ts), so requests made in the same turn become one BullMQ flow, the step being
// the barrier. Tiles travel as float32 in the model's range; gradients come back the same way.
import type { ObjectiveTerms } from '../../engine/parallel/protocol.ts';
import type { TileGradientSource } from '../../engine/render/tiles.ts';
import { flowRunner, STEP_QUEUE } from '../../farm/flow.ts';
import { decodeFloat32, encodeBytes, type ModelRef } from '../../farm/kinds.ts';
import { openQueue, openQueueEvents, workersOnline } from '../../farm/queues.ts';
import type { FarmTask } from '../../farm/submit.ts';
import type { FarmConnection } from '../../farm/url.ts';

interface Pending {
  task: FarmTask<'dream-tile'>;
  resolve: (r: { value: number; gradient: Float32Array }) => void;
  reject: (e: unknown) => void;
}

export interface FarmTilePool extends TileGradientSource {
  workers(): Promise<number>;
  /** Tiles each worker (by BullMQ name) has computed for this pool so far. */
  readonly tilesByWorker: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export function farmTilePool(connection: FarmConnection, model: ModelRef, signal?: AbortSignal): FarmTilePool {
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
    try {
      await stepEvents.waitUntilReady();
      const results = await flows.run(mine.map((p) => p.task), signal, count);
      results.forEach((r, i) => mine[i]!.resolve({ value: r.value, gradient: decodeFloat32(r.gradient.data, r.gradient.width * r.gradient.height * 3) }));
    } catch (err) {
      for (const p of mine) p.reject(err);
    }
  };
  return {
    gradient(pixels: Float32Array, height: number, width: number, terms: ObjectiveTerms) {
      return new Promise((resolve, reject) => {
        const task: FarmTask<'dream-tile'> = { kind: 'dream-tile', payload: { model, terms: { layers: terms.layers, channels: terms.channels, classes: terms.classes ?? [] }, tile: { width, height, data: encodeBytes(pixels) } } };
        if (batch.length === 0) setImmediate(() => void flush());
        batch.push({ task, resolve, reject });
      });
    },
    workers: async () => (await workersOnline(tiles)).length,
    tilesByWorker,
    async close() {
      await flows.close();
      await Promise.allSettled([steps.close(), stepEvents.close(), tiles.close()]);
    },
  };
}
