// Zoom frames and ping-pong rounds the app sends to the farm: the same path as the CLI's zoom --farm
// (cli/farm/frameFarm.ts) — one tile pool on the farm (host/farm/tilePool.ts, via dreamFarm.ts for
// the "N workers" picture) handed to runZoomProject as its tile source, so every frame's steps spread
// over the workers and each frame's manifest record says it ran on the farm. BullMQ and ioredis load
// only when a job asks for the farm.
import { tilesPerStep } from '../engine/parallel/layout.ts';
import type { ZoomManifest } from '../engine/project/manifest.ts';
import type { DreamFarm } from './farm/dreamFarm.ts';
import type { FarmChoice } from './protocol.ts';

/**
 * The farm's tile pool for the frames of the project in `dir`, or undefined when a frame is one tile
 * (nothing to spread). Its claims are the project's, as the CLI's, so a Resume after the app was
 * killed takes over the steps the killed render left.
 */
export async function openFrameFarm(farm: FarmChoice, dir: string, m: Pick<ZoomManifest, 'input' | 'recipe'>, signal: AbortSignal): Promise<DreamFarm | undefined> {
  if (tilesPerStep(m.input.width, m.input.height, m.recipe.tileSize) <= 1) return undefined;
  return (await import('./farm/dreamFarm.ts')).openDreamFarm(farm, m.recipe.model, signal, { project: dir });
}

/** " · N workers" for a progress label. */
export const farmWorkers = (n: number): string => ` · ${n} worker${n === 1 ? '' : 's'}`;

/** " · N workers" for the progress label ("waiting for one" while none is online). */
export function farmWhere(farm: DreamFarm): string {
  const n = farm.progress().workers;
  return `${farmWorkers(n)}${n ? '' : ' (waiting for one)'}`;
}
