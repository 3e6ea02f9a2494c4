// A dream the app sends to the farm: the tiles of each step go out as one BullMQ flow (tilePool.ts),
// and the job's progress carries "N workers" and what each worker has computed, with the device its
// heartbeat names. Runs inside the engine worker, beside the dream loop.
import { Redis } from 'ioredis';
import type { FarmJobProgress } from '../../contract/farm.ts';
import { listWorkers, type WorkerHeartbeat } from '../../farm/heartbeat.ts';
import { projectClaimant } from './claimant.ts';
import { farmConnection } from './connection.ts';
import { modelFingerprint } from './modelRef.ts';
import { farmTilePool, type FarmTilePool } from './tilePool.ts';

const REFRESH_MS = 2000;

export interface DreamFarm {
  pool: FarmTilePool;
  /** The latest picture of the farm for this job (workers refreshed every couple of seconds). */
  progress(): FarmJobProgress;
  close(): Promise<void>;
}

export interface DreamFarmOptions {
  /** A tile came back (progress() has moved), heard as it happens rather than at the step's end. */
  onTile?: () => void;
  /** The project whose frames these are: its claims are the project's, so a resume takes them over (claimant.ts). */
  project?: string;
}

export async function openDreamFarm(farm: { url: string; insecure: boolean }, modelId: string, signal: AbortSignal, options: DreamFarmOptions = {}): Promise<DreamFarm> {
  const connection = farmConnection(farm.url, farm.insecure);
  const ref = await modelFingerprint(modelId);
  const { onTile, project } = options;
  const pool = farmTilePool(connection, ref, signal, { ...(onTile ? { onTile: () => onTile() } : {}), ...(project !== undefined ? { claimant: projectClaimant(project) } : {}) });
  const redis = new Redis({ ...connection.options });
  redis.on('error', () => undefined); // reconnects by itself; the list only ages meanwhile
  let beats: WorkerHeartbeat[] = [];
  const refresh = async (): Promise<void> => {
    beats = (await listWorkers(redis).catch(() => beats)).filter((b) => b.models.includes(ref.id));
  };
  await refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  timer.unref();
  return {
    pool,
    progress() {
      const names = new Set([...beats.map((b) => b.name), ...pool.tilesByWorker.keys()]);
      const perWorker = [...names].sort().map((name) => ({ name, device: beats.find((b) => b.name === name)?.device ?? 'unknown (no heartbeat)', tiles: pool.tilesByWorker.get(name) ?? 0 }));
      return { url: connection.display, workers: beats.length, perWorker };
    },
    async close() {
      clearInterval(timer);
      redis.disconnect();
      await pool.close();
    },
  };
}
