// One octave step of a 4K frame on n simulated machines: an in-process worker of concurrency n whose
// handler waits the measured compute time c instead of computing, while still reading each tile from
// Redis and writing a 3 MB gradient back. The step's wall time is then compute plus everything the
// farm adds, with nothing projected: E(n) = T·c / (n·t). It runs the submitter both ways: pipelined
// (flows of TILES_PER_FLOW tiles, the next written while the first compute, each read when done) and
// as one flow per step (every tile written, then the barrier, then every gradient read).
// Alone, on the machine's own Redis figures (no model): node --import tsx bench/farmPipeline.ts --compute-ms 723
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { farmTilePool, TILES_PER_FLOW } from '../host/farm/tilePool.ts';
import type { GradientResult, ModelRef, TileImage } from '../farm/kinds.ts';
import type { FarmConnection } from '../farm/url.ts';
import { startWorkers, type JobHandlers } from '../farm/worker.ts';
import { median } from './timing.ts';

export interface PipelineFigures {
  tiles: number;
  machines: number;
  computeMs: number;
  /** Flows of TILES_PER_FLOW tiles (the way now). */
  pipelined: { stepMs: number; efficiency: number; tilesPerFlow: number };
  /** One flow per step (the way before). */
  oneFlow: { stepMs: number; efficiency: number };
}

const TERMS = { layers: [{ name: 'mixed3', weight: 1 }, { name: 'mixed5', weight: 1 }], channels: [], classes: [] };

export async function pipelineStep(connection: FarmConnection, ref: ModelRef, options: { computeMs: number; tiles: number; machines: number; size?: number; repeats?: number; tilesPerFlow?: number }): Promise<PipelineFigures> {
  const { computeMs, tiles, machines } = options;
  const size = options.size ?? 512;
  const repeats = options.repeats ?? 3;
  const perFlow = options.tilesPerFlow ?? TILES_PER_FLOW;
  const handlers = {
    'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
      const bytes = (p.tile as { bytes: Uint8Array }).bytes;
      await new Promise((resolve) => setTimeout(resolve, computeMs));
      // A gradient of its own bytes (a copy, as a real one is new memory), so it has a key of its own.
      const gradient = new Uint8Array(bytes);
      gradient[0] = gradient[0]! ^ 1;
      return { value: 0, gradient: { width: p.tile.width, height: p.tile.height, bytes: gradient } };
    },
  } as unknown as JobHandlers;
  const worker = startWorkers(connection, [{ model: ref, handlers }], { concurrency: machines });
  await worker.ready;
  const base = new Float32Array(size * size * 3).map((_, i) => Math.sin(i) * 0.9);
  let salt = 0;
  const step = async (chunk: number): Promise<number> => {
    const pool = farmTilePool(connection, ref, undefined, { chunk });
    const t = performance.now();
    // Distinct tiles each step: steps are content-addressed, and a repeated one would reattach.
    await Promise.all(Array.from({ length: tiles }, () => {
      const tile = base.slice();
      tile[0] = salt++;
      return pool.gradient(tile, size, size, TERMS);
    }));
    const ms = performance.now() - t;
    await pool.close();
    return ms;
  };
  const measure = async (chunk: number): Promise<number> => {
    await step(chunk);
    const ms: number[] = [];
    for (let r = 0; r < repeats; r++) ms.push(await step(chunk));
    return median(ms);
  };
  const pipelinedMs = await measure(perFlow);
  const oneFlowMs = await measure(tiles);
  await worker.close();
  const efficiency = (ms: number): number => Number(((tiles * computeMs) / (machines * ms)).toFixed(3));
  return {
    tiles,
    machines,
    computeMs,
    pipelined: { stepMs: Math.round(pipelinedMs), efficiency: efficiency(pipelinedMs), tilesPerFlow: perFlow },
    oneFlow: { stepMs: Math.round(oneFlowMs), efficiency: efficiency(oneFlowMs) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'compute-ms': { type: 'string' }, tiles: { type: 'string' }, machines: { type: 'string' }, 'tiles-per-flow': { type: 'string' } } });
  const { startRedis } = await import('../tests/helpers/redis.ts');
  const { parseFarmUrl } = await import('../farm/url.ts');
  const { loadavg } = await import('node:os');
  const redis = await startRedis();
  const figures = await pipelineStep(parseFarmUrl(redis.url), { id: 'bench', sha256: 'b'.repeat(64) }, {
    computeMs: Number(values['compute-ms'] ?? 723),
    tiles: Number(values.tiles ?? 40),
    machines: Number(values.machines ?? 16),
    ...(values['tiles-per-flow'] ? { tilesPerFlow: Number(values['tiles-per-flow']) } : {}),
  });
  await redis.stop();
  process.stdout.write(`${JSON.stringify({ loadavg: loadavg().map((v) => Number(v.toFixed(2))), ...figures }, null, 2)}\n`);
  process.exit(0);
}
