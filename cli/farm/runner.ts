// One way to run many independent jobs, local or on a farm: commands build tasks and write results;
// where the tasks run is this module's choice. Local runs call the same handlers in this process
// (onnxruntime spreads each one over every local core).
import { readFileSync } from 'node:fs';
import type { QueueEvents, Queue } from 'bullmq';
import { parseSettings, settingsFile } from '../../engine/settings/settings.ts';
import { checkPayload, checkResult, type JobKind, type JobKinds, type ModelRef } from '../../farm/kinds.ts';
import { openQueue, openQueueEvents, workersOnline } from '../../farm/queues.ts';
import { submitJobs, type JobFailure, type TaskSource } from '../../farm/submit.ts';
import { parseFarmUrl } from '../../farm/url.ts';
import type { JobHandlers } from '../../farm/worker.ts';

export interface RunOptions<K extends JobKind> {
  signal?: AbortSignal;
  onResult: (index: number, result: JobKinds[K]['result']) => Promise<void> | void;
  onFailure?: (index: number, reason: string) => void;
}

export interface TaskRunner {
  /** "local" or the farm URL (password hidden) with its workers, for the command's first line. */
  describe(): Promise<string>;
  run<K extends JobKind>(tasks: TaskSource<K>, options: RunOptions<K>): Promise<JobFailure[]>;
  close(): Promise<void>;
}

export const farmFlagSpec = { farm: { type: 'string' }, 'farm-insecure': { type: 'boolean' } } as const;
export const farmFlagHelp = `  --farm URL                  run the jobs on a render farm (redis://[:PASSWORD@]host:port or
                              rediss:// for TLS; default $REVERIE_FARM, else the farm saved in the
                              app's Settings); --farm none, or none of these: locally
  --farm-insecure             allow a farm beyond this machine without a password`;

export interface FarmChoice {
  url: string;
  insecure: boolean;
}

/** The farm from --farm, $REVERIE_FARM or the saved setting (with its own allowance); undefined: local. */
export function farmChoice(values: { farm?: string | undefined; 'farm-insecure'?: boolean | undefined }): FarmChoice | undefined {
  if (values.farm === 'none') return undefined;
  const insecure = values['farm-insecure'] ?? false;
  const given = values.farm ?? (process.env['REVERIE_FARM'] || undefined);
  if (given) return { url: given, insecure };
  const saved = savedFarm();
  return saved ? { url: saved.url, insecure: insecure || saved.insecure } : undefined;
}

/** Settings' farm (the app's Farm section writes it); an unreadable settings file means none. */
function savedFarm(): FarmChoice | undefined {
  try {
    const s = parseSettings(JSON.parse(readFileSync(settingsFile(), 'utf8')), 'settings');
    return s.farmUrl ? { url: s.farmUrl, insecure: s.farmInsecure } : undefined;
  } catch {
    return undefined;
  }
}

export function localRunner(handlers: JobHandlers): TaskRunner {
  return {
    describe: async () => 'local',
    async run(tasks, options) {
      const failures: JobFailure[] = [];
      for (let index = 0; index < tasks.length; index++) {
        options.signal?.throwIfAborted();
        const t = await tasks.get(index);
        checkPayload(t.kind, t.payload);
        let result: unknown;
        try {
          result = await (handlers[t.kind] as (p: unknown, s: AbortSignal) => Promise<unknown>)(t.payload, options.signal ?? new AbortController().signal);
        } catch (err) {
          if (options.signal?.aborted) throw err;
          const e = err as Error;
          failures.push({ index, reason: `${e.name}: ${e.message}` });
          options.onFailure?.(index, `${e.name}: ${e.message}`);
          continue;
        }
        checkResult(t.kind, result);
        await options.onResult(index, result as never);
      }
      return failures;
    },
    async close() {},
  };
}

export function farmRunner(url: string, allowInsecure: boolean, model: ModelRef, window?: number): TaskRunner {
  const connection = parseFarmUrl(url, allowInsecure);
  const queue: Queue = openQueue(connection, model);
  const events: QueueEvents = openQueueEvents(connection, model);
  // Connection errors while Redis restarts are retried by ioredis; unheard, they would end the process.
  let lastError = '';
  const remember = (err: Error): void => {
    lastError = err.message;
  };
  queue.on('error', remember);
  events.on('error', remember);
  return {
    async describe() {
      const workers = await workersOnline(queue);
      const who = workers.length ? `${workers.length} worker(s)` : `no worker is online for ${model.id} yet (jobs wait in the queue)`;
      return `farm ${connection.display}: ${who}${lastError ? ` (last connection error: ${lastError})` : ''}`;
    },
    async run(tasks, options) {
      await events.waitUntilReady();
      return submitJobs(queue, events, tasks, { ...options, ...(window ? { window } : {}) });
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}
