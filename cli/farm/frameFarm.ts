// --farm on zoom, resume and session dream: the tiles of each octave step of every frame go to the
// farm as one BullMQ flow (host/farm/tilePool.ts, as dream --farm). A frame of one tile has nothing
// to spread and dreams here. Steps are content-addressed (farm/flow.ts), so a `reverie resume` after
// the submitter was killed reattaches to the step it left in Redis.
import { tilesPerStep } from '../../engine/parallel/layout.ts';
import { parseFarmUrl } from '../../farm/url.ts';
import { projectClaimant } from '../../host/farm/claimant.ts';
import { modelFingerprint } from '../../host/farm/modelRef.ts';
import { farmPlace } from '../../host/farm/place.ts';
import { farmTilePool, type FarmTilePool } from '../../host/farm/tilePool.ts';
import type { ProgressSink } from '../progress.ts';
import { farmChoice } from './runner.ts';

export interface FrameFarmChoice {
  url: string;
  insecure: boolean;
}

/** The farm named by --farm / $REVERIE_FARM / Settings, or undefined (local). The URL is checked now. */
export function frameFarmFrom(values: { farm?: string | undefined; 'farm-insecure'?: boolean | undefined }): FrameFarmChoice | undefined {
  const choice = farmChoice(values);
  if (choice) parseFarmUrl(choice.url, choice.insecure);
  return choice;
}

/**
 * A tile pool on the farm for frames of this size, or undefined when a frame is one tile. Its claims
 * on steps are named after `project` (host/farm/claimant.ts), so `reverie resume` takes over those of
 * a killed run of the project and removes the steps it left.
 */
export async function openFrameFarm(choice: FrameFarmChoice, modelSpec: string, frame: { width: number; height: number; tileSize: number }, sink: ProgressSink, signal: AbortSignal, project?: string): Promise<FarmTilePool | undefined> {
  const connection = parseFarmUrl(choice.url, choice.insecure);
  if (tilesPerStep(frame.width, frame.height, frame.tileSize) <= 1) {
    sink.event('farm', { url: connection.display, message: `A frame fits one tile (${frame.tileSize}px): frames dream here, not on the farm at ${connection.display}` });
    return undefined;
  }
  const pool = farmTilePool(connection, await modelFingerprint(modelSpec), signal, project === undefined ? {} : { claimant: projectClaimant(project) });
  const online = await pool.workers();
  sink.event('farm', { url: connection.display, workers: online, message: `Tiles of each frame's steps go to the farm at ${connection.display}: ${online} worker(s) online${online ? '' : ' (the tiles wait in the queue until one joins)'}` });
  return pool;
}

/** What each frame the farm dreamed records (the PNG's device fields and the manifest's): the farm, by its URL without a password. */
export function frameFarmPlace(choice: FrameFarmChoice): { device: string; deviceLabel: string } {
  return farmPlace(parseFarmUrl(choice.url, choice.insecure).display);
}
