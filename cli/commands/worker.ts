// `reverie worker --farm redis://…`: takes jobs from a render farm until stopped. SIGTERM or Ctrl-C
// drains: no new jobs, the ones in hand finish (a second signal exits at once; BullMQ's stalled-job
// check then hands those jobs to another worker).
import { cpus, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { DEFAULT_MODEL } from '../../engine/model/load.ts';
import { parseFarmUrl } from '../../farm/url.ts';
import { startWorkers } from '../../farm/worker.ts';
import { startHeartbeat } from '../../farm/heartbeat.ts';
import { workerName } from '../../farm/queues.ts';
import type { ModelRef } from '../../farm/kinds.ts';
import { jobHandlers } from '../farm/handlers.ts';
import { loadFarmModel } from '../farm/model.ts';
import type { DreamModel } from '../../engine/shared/model.ts';
import { farmChoice } from '../farm/runner.ts';
import { UsageError } from '../shared.ts';

export const workerHelp = `reverie worker --farm URL [options]

Takes jobs from a render farm (BullMQ on Redis) and runs them until stopped. Run one per machine
(or several with --concurrency); SIGTERM or Ctrl-C finishes the jobs in hand, then exits.
  --farm URL           redis://[:PASSWORD@]host:port[/db] or rediss:// (TLS); default $REVERIE_FARM
  --farm-insecure      allow a farm beyond this machine without a password
  --model M            a model to serve, by name (repeatable; default ${DEFAULT_MODEL}): embedded,
                       or from the model cache (downloaded and checked if it is a catalogue name)
  --concurrency N      jobs at once (default 1: each job already uses every core)
  --lock-ms MS         job lock, renewed while a job runs (default 60000); a dead worker's jobs
                       go to another worker after about this long
  --backend B          auto | tensorflow | wasm | cpu (default auto)
  --json               JSON lines on stdout: ready, job started, finished, failed`;

export async function workerCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { farm: { type: 'string' }, 'farm-insecure': { type: 'boolean' }, model: { type: 'string', multiple: true }, concurrency: { type: 'string' }, 'lock-ms': { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } },
  });
  const farmAt = farmChoice(values);
  if (!farmAt) throw new UsageError('Name the farm with --farm redis://host:port (or set REVERIE_FARM).', workerHelp);
  const connection = parseFarmUrl(farmAt.url, farmAt.insecure);
  const whole = (flag: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} expects a whole number from ${min}, got "${text}".`);
    return n;
  };
  const concurrency = whole('concurrency', values.concurrency, 1, 1);
  const lockMs = whole('lock-ms', values['lock-ms'], 60_000, 1000);
  const say = (type: string, message: string, extra: Record<string, unknown> = {}): void => {
    if (values.json) process.stdout.write(`${JSON.stringify({ type, message, ...extra })}\n`);
    else process.stderr.write(`${message}\n`);
  };
  const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
  const served: Array<{ ref: ModelRef; model: DreamModel }> = [];
  for (const spec of values.model ?? [DEFAULT_MODEL]) {
    try {
      served.push(await loadFarmModel(spec));
    } catch (err) {
      // A model this worker cannot get: it says so and listens only on the queues of the others.
      say('model-missing', `Cannot serve model "${spec}": ${(err as Error).message} This worker takes no job for it.`, { model: spec });
    }
  }
  if (served.length === 0) throw new UsageError('No model to serve: this worker would take no jobs.');
  const name = workerName(hostname(), process.pid, served.map((s) => s.ref.id));
  const cpu = cpus();
  const device = `${served[0]!.model.accelerator ?? backend} · ${cpu[0]?.model.trim() ?? 'CPU'} ×${cpu.length}`;
  const heartbeat = startHeartbeat(connection, { name, host: hostname(), pid: process.pid, device, models: served.map((s) => s.ref.id), concurrency });
  const farm = startWorkers(connection, served.map(({ ref, model }) => ({ model: ref, handlers: jobHandlers(model, ref) })), {
    concurrency,
    lockMs,
    name,
    onError: (err) => say('connection', `Farm connection: ${err.message} (retrying)`),
    onEvent: (e) => {
      if (e.type === 'active') heartbeat.jobStarted();
      else heartbeat.jobEnded(e.type === 'completed' ? e.ms : undefined);
      say(`job-${e.type}`, `${e.type} ${e.kind} ${e.id}${e.ms !== undefined ? ` in ${Math.round(e.ms)} ms` : ''}${e.reason ? `: ${e.reason}` : ''}`, { kind: e.kind, id: e.id, ...(e.ms !== undefined ? { ms: Math.round(e.ms) } : {}), ...(e.reason ? { reason: e.reason } : {}) });
    },
  });
  await farm.ready;
  say('ready', `Worker ${name} on ${backend} serving ${served.map((s) => `${s.ref.id} (${s.ref.sha256.slice(0, 12)})`).join(', ')} from ${connection.display}, ${concurrency} at a time.`, { name, backend, device, models: served.map((s) => s.ref), pid: process.pid });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.on('SIGINT', () => process.exit(130));
      process.on('SIGTERM', () => process.exit(143));
      say('draining', 'Draining: finishing the jobs in hand, taking no new ones.');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await farm.close();
  await heartbeat.stop();
  for (const s of served) s.model.dispose();
  say('stopped', 'Worker stopped.');
}
