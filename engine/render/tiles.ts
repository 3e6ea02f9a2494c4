// Gradients tile by tile, so memory grows with the tile size, not the image size.
import * as tf from '@tensorflow/tfjs-core';
import type { DreamModel } from '../model/types.ts';
import type { Objective } from '../objectives/objective.ts';

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

/**
 * d(objective)/d(image), computed per tile: away from tile borders (by the layer's receptive field)
 * this equals the untiled gradient.
 */
export async function tiledGradient(
  model: DreamModel,
  image: tf.Tensor4D,
  objective: Objective,
  tileSize: number,
  signal?: AbortSignal,
): Promise<TiledGradient> {
  const [, height, width] = image.shape;
  const grid = tileGrid(height, width, tileSize);
  const tiled = grid.length * (grid[0]?.length ?? 1) > 1;
  // A tile's objective is a mean over its own activations; weighting it by its share of the image's
  // activations (of the first objective layer; exact for one layer) makes the tiles add up to the whole.
  const activationArea = (h: number, w: number): number => {
    const info = model.layers(h, w).find((l) => l.name === objective.layers[0]);
    return info ? info.height * info.width : h * w;
  };
  const wholeArea = tiled ? activationArea(height, width) : 1;
  let value = 0;
  let gradient: tf.Tensor4D | undefined;
  const owned: tf.Tensor4D[] = [];
  try {
    const rows: tf.Tensor4D[] = [];
    for (const row of grid) {
      const cols: tf.Tensor4D[] = [];
      for (const tile of row) {
        signal?.throwIfAborted();
        const share = tiled ? activationArea(tile.height, tile.width) / wholeArea : 1;
        const patch = tiled ? tf.slice(image, [0, tile.y, tile.x, 0], [-1, tile.height, tile.width, -1]) : image;
        try {
          const r = model.valueAndGradient(patch, objective.layers, objective.fn);
          value += r.value * share;
          cols.push(tiled ? scaleAndDispose(r.gradient, share) : r.gradient);
          owned.push(cols[cols.length - 1]!);
        } finally {
          if (patch !== image) patch.dispose();
        }
        // Let the host's event loop breathe between tiles (progress, Ctrl-C, IPC).
        if (tiled) await new Promise((resolve) => setImmediate(resolve));
      }
      rows.push(cols.length === 1 ? cols[0]! : tf.concat(cols, 2));
      if (cols.length > 1) owned.push(rows[rows.length - 1]!);
    }
    gradient = rows.length === 1 ? rows[0]! : tf.concat(rows, 1);
    return { value, gradient };
  } finally {
    for (const t of owned) if (t !== gradient) t.dispose();
  }
}

function scaleAndDispose(t: tf.Tensor4D, k: number): tf.Tensor4D {
  const out = tf.mul(t, k) as tf.Tensor4D;
  t.dispose();
  return out;
}
