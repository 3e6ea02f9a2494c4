// How a job spreads over the cores, decided here once for every host (CLI, app, zoom, farm workers).
//
// Measured on the 2-core dev machine (2026-12, onnxruntime-node 1.30, mixed3+mixed5): one 512x512
// tile step takes ~410-440 ms on one intra-op thread and ~350-380 ms on two: its ops are too short to
// split well across threads. Two workers with one thread each compute two tiles in about the time
// of one. So a job with several tiles per step spreads its tiles over workers, one thread each; a job
// of one tile per step keeps it in the calling thread on every core (a worker would only add copies).
//
// Pixels do not depend on this choice: the tile grid comes from the recipe's tile size alone, every
// tile runs the same unit (render/tileStep.ts), and onnxruntime's CPU kernels split work by output,
// not by summation order: 1 and 2 intra-op threads give the same bits (render/layout.test.ts).
import { availableParallelism } from 'node:os';
import { tileGrid } from '../render/tiles.ts';

export interface ParallelLayout {
  /** Worker threads computing tiles; 0 = tiles run in the calling thread. */
  workers: number;
  /** onnxruntime intra-op threads per tile inside each worker. */
  threadsPerTile: number;
}

/** More workers than this cost a model copy each (~0.3 GB) for little gain. */
export const MAX_WORKERS = 8;

/** Tiles per step at the job's largest octave (the full image size). */
export function tilesPerStep(width: number, height: number, tileSize: number): number {
  return tileGrid(height, width, tileSize).flat().length;
}

/**
 * The layout for a job with `tiles` tiles per step on `cores` cores. `workers` (e.g. the CLI's
 * --workers) overrides the count; the threads per tile then share the cores among the workers.
 */
export function chooseLayout(tiles: number, o: { cores?: number; workers?: number } = {}): ParallelLayout {
  const cores = Math.max(1, o.cores ?? availableParallelism());
  const share = (workers: number): ParallelLayout => ({ workers, threadsPerTile: Math.max(1, Math.floor(cores / Math.max(1, workers))) });
  if (o.workers !== undefined) return share(Math.max(0, Math.min(MAX_WORKERS, o.workers)));
  if (tiles < 2 || cores < 2) return share(0);
  return share(Math.min(cores, tiles, MAX_WORKERS));
}
