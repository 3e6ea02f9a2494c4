// Real `reverie worker` processes for farm tests: JSON lines parsed as they come, waits on events.
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli.ts';

export interface WorkerEvent {
  type: string;
  id?: string;
  kind?: string;
  reason?: string;
  message: string;
}

export interface TestWorker {
  child: ChildProcess;
  events: WorkerEvent[];
  /** Resolves with the first event (already seen or to come) that matches. */
  waitFor(match: (e: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
  exited: Promise<number | null>;
  stderr(): string;
}

export function startWorker(url: string, extra: string[] = []): TestWorker {
  const child = spawnCli(['worker', '--farm', url, '--json', '--backend', 'wasm', ...extra]);
  const events: WorkerEvent[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  let errors = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as WorkerEvent);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-8000)));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => {
    ok(code);
    for (const w of waiters.splice(0)) w();
  }));
  const waitFor = (match: (e: WorkerEvent) => boolean, timeoutMs = 120_000): Promise<WorkerEvent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker event not seen in ${timeoutMs} ms; stderr: ${errors}`)), timeoutMs);
      const check = (): void => {
        const hit = events.find(match);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`worker exited (${child.exitCode ?? child.signalCode}) before the event; stderr: ${errors}`));
        } else waiters.push(check);
      };
      check();
    });
  return { child, events, waitFor, exited, stderr: () => errors };
}

/** SIGTERM (graceful drain) and wait; SIGKILL if it has not gone within `ms`. */
export async function stopWorker(w: TestWorker, ms = 30_000): Promise<number | null> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return w.child.exitCode;
  w.child.kill('SIGTERM');
  const timer = setTimeout(() => w.child.kill('SIGKILL'), ms);
  const code = await w.exited;
  clearTimeout(timer);
  return code;
}
