// Gradients tile by tile, so memory grows with the tile size, not the image size.
import type { DreamModel } from '../shared/model.ts';
import { readRolledTile, writeRolledTile } from './pixels.ts';
import type { Objective } from '../objectives/objective.ts';
import type { GradientPool } from '../parallel/gradientPool.ts';
import type { ObjectiveTerms } from '../parallel/protocol.ts';
import { tileGradient } from './tileStep.ts';

export interface Tile {
  y: number;
  x: number;
  height: number;
  width: number;
  /** The part of the tile it writes back (from its top-left): the rest overlaps the first tile. */
  ownHeight: number;
  ownWidth: number;
}

/**
 * Splits a side into `ceil(length / tileSize)` spans of one equal size; the last one wraps past the
 * end (the image is rolled, so it is periodic) and owns only what the others leave. One size per
 * octave means one compiled graph per octave instead of up to four, for an overlap under `count` px.
 */
function spans(length: number, tileSize: number): Array<{ start: number; size: number; own: number }> {
  const count = Math.max(1, Math.ceil(length / tileSize));
  const size = Math.ceil(length / count);
  return Array.from({ length: count }, (_, i) => ({ start: i * size, size, own: Math.min(size, length - i * size) }));
}

export function tileGrid(height: number, width: number, tileSize: number): Tile[][] {
  return spans(height, tileSize).map((r) => spans(width, tileSize).map((c) => ({ y: r.start, x: c.start, height: r.size, width: c.size, ownHeight: r.own, ownWidth: c.own })));
}

/** What computes a tile's gradient elsewhere: the worker-thread pool, or a render farm (cli/farm). */
export type TileGradientSource = Pick<GradientPool, 'gradient'>;

/** Where tile gradients are computed: in this thread, or in a worker pool given serialisable terms. */
export interface TileRunner {
  pool: TileGradientSource;
  terms: ObjectiveTerms;
}

export interface TiledGradient {
  value: number;
  /** d(objective)/d(image), HWC, in the image's own (unrolled) coordinates. */
  gradient: Float32Array;
}

/**
 * d(objective)/d(image) for the image rolled by (dy, dx), computed tile by tile and written back in
 * the image's coordinates. Away from tile borders (by the layer's receptive field) this equals the
 * untiled gradient. Tiles travel as plain arrays (render/tileStep.ts); with a runner, to worker threads.
 */
export async function tiledGradient(
  model: DreamModel,
  image: Float32Array,
  height: number,
  width: number,
  objective: Objective,
  options: { tileSize: number; roll?: readonly [number, number]; signal?: AbortSignal; runner?: TileRunner; /** reused output buffer */ into?: Float32Array },
): Promise<TiledGradient> {
  const [dy, dx] = options.roll ?? [0, 0];
  const tiles = tileGrid(height, width, options.tileSize).flat();
  // A tile's objective is a mean over its own activations; weighting it by its share of the image's
  // activations (of the first objective layer; exact for one layer) makes the tiles add up to the whole.
  const activationArea = (h: number, w: number): number => {
    const info = model.layers(h, w).find((l) => l.name === objective.layers[0]);
    return info ? info.height * info.width : h * w;
  };
  // Every tile of a grid has one shape, so one share for all.
  const k = tiles.length > 1 ? activationArea(tiles[0]!.height, tiles[0]!.width) / activationArea(height, width) : 1;
  const gradient = options.into?.length === height * width * 3 ? options.into : new Float32Array(height * width * 3);
  let value = 0;
  const place = (t: Tile, r: { value: number; gradient: Float32Array }): void => {
    value += r.value * k;
    writeRolledTile(gradient, height, width, dy, dx, t, r.gradient, k);
  };
  const runner = options.runner;
  if (runner) {
    const jobs = tiles.map((t) => runner.pool.gradient(readRolledTile(image, height, width, dy, dx, t), t.height, t.width, runner.terms));
    // Every job settles before we return, so no worker result arrives after an error or a cancel.
    const settled = await Promise.allSettled(jobs);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    settled.forEach((r, i) => place(tiles[i]!, (r as PromiseFulfilledResult<{ value: number; gradient: Float32Array }>).value));
    options.signal?.throwIfAborted();
    return { value, gradient };
  }
  for (const t of tiles) {
    options.signal?.throwIfAborted();
    place(t, tileGradient(model, readRolledTile(image, height, width, dy, dx, t), t.height, t.width, objective));
    // Let the host's event loop breathe between tiles (progress, Ctrl-C, IPC).
    if (tiles.length > 1) await new Promise((resolve) => setImmediate(resolve));
  }
  return { value, gradient };
}
