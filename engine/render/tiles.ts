// Gradients tile by tile, so memory grows with the tile size, not the image size.
import * as tf from '@tensorflow/tfjs-core';
import type { DreamModel } from '../model/types.ts';
import type { Objective } from '../objectives/objective.ts';
import type { GradientPool } from '../parallel/gradientPool.ts';
import type { ObjectiveTerms } from '../parallel/protocol.ts';

export interface Tile {
  y: number;
  x: number;
  height: number;
  width: number;
}

/** Splits a side into near-equal spans no longer than `tileSize` (no thin leftover tile). */
function spans(length: number, tileSize: number): Array<[number, number]> {
  const count = Math.max(1, Math.ceil(length / tileSize));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const start = Math.round((i * length) / count);
    out.push([start, Math.round(((i + 1) * length) / count) - start]);
  }
  return out;
}

export function tileGrid(height: number, width: number, tileSize: number): Tile[][] {
  return spans(height, tileSize).map(([y, h]) => spans(width, tileSize).map(([x, w]) => ({ y, x, height: h, width: w })));
}

export interface TiledGradient {
  value: number;
  gradient: tf.Tensor4D;
}

/** Where tile gradients are computed: in this thread, or in a worker pool given serialisable terms. */
export interface TileRunner {
  pool: GradientPool;
  terms: ObjectiveTerms;
}

/**
 * d(objective)/d(image), computed per tile: away from tile borders (by the layer's receptive field)
 * this equals the untiled gradient. With a runner, tiles go to worker threads in parallel.
 */
export async function tiledGradient(
  model: DreamModel,
  image: tf.Tensor4D,
  objective: Objective,
  tileSize: number,
  signal?: AbortSignal,
  runner?: TileRunner,
): Promise<TiledGradient> {
  const [, height, width] = image.shape;
  const grid = tileGrid(height, width, tileSize);
  const tiles = grid.flat();
  const tiled = tiles.length > 1;
  // A tile's objective is a mean over its own activations; weighting it by its share of the image's
  // activations (of the first objective layer; exact for one layer) makes the tiles add up to the whole.
  const activationArea = (h: number, w: number): number => {
    const info = model.layers(h, w).find((l) => l.name === objective.layers[0]);
    return info ? info.height * info.width : h * w;
  };
  const wholeArea = tiled ? activationArea(height, width) : 1;
  const share = (t: Tile): number => (tiled ? activationArea(t.height, t.width) / wholeArea : 1);
  const cut = (t: Tile): tf.Tensor4D => (tiled ? tf.slice(image, [0, t.y, t.x, 0], [-1, t.height, t.width, -1]) : image);

  const results: Array<{ value: number; gradient: tf.Tensor4D }> = [];
  let gradient: tf.Tensor4D | undefined;
  try {
    if (runner) {
      const jobs = tiles.map((t) => {
        const patch = cut(t);
        const pixels = new Float32Array(patch.dataSync());
        if (patch !== image) patch.dispose();
        return runner.pool.gradient(pixels, t.height, t.width, runner.terms);
      });
      // Every job is awaited (settled) so no worker result arrives after we return.
      const settled = await Promise.allSettled(jobs);
      for (const [i, r] of settled.entries()) {
        if (r.status === 'rejected') throw r.reason;
        const t = tiles[i]!;
        results.push({ value: r.value.value, gradient: tf.tensor4d(r.value.gradient, [1, t.height, t.width, 3]) });
      }
      signal?.throwIfAborted();
    } else {
      for (const t of tiles) {
        signal?.throwIfAborted();
        const patch = cut(t);
        try {
          results.push(model.valueAndGradient(patch, objective.layers, objective.fn));
        } finally {
          if (patch !== image) patch.dispose();
        }
        // Let the host's event loop breathe between tiles (progress, Ctrl-C, IPC).
        if (tiled) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const value = results.reduce((v, r, i) => v + r.value * share(tiles[i]!), 0);
    if (!tiled) {
      gradient = results[0]!.gradient;
      return { value, gradient };
    }
    const cols = grid[0]!.length;
    gradient = tf.tidy(() => {
      const scaled = results.map((r, i) => tf.mul(r.gradient, share(tiles[i]!)) as tf.Tensor4D);
      const rows = grid.map((_, y) => (cols === 1 ? scaled[y * cols]! : tf.concat(scaled.slice(y * cols, (y + 1) * cols), 2)));
      return rows.length === 1 ? rows[0]! : tf.concat(rows, 1);
    });
    return { value, gradient };
  } finally {
    for (const r of results) if (r.gradient !== gradient) r.gradient.dispose();
  }
}
