// The browser-mode server's API as the page uses it, from the test process: calls with the page's
// session credential, its event socket, and its files. Lets a test drive jobs while the page stays
// a plain window (the device under test) and then closes it.
import WebSocket from 'ws';
import { fromWire, toWire } from '../../../contract/wire.ts';
import type { EngineStatus, GalleryItem, JobProgress, JobState } from '../../../contract/types.ts';

export interface HostApi {
  call<T>(channel: string, body: unknown): Promise<T>;
  /** Progress events seen so far, per job. */
  progress: Map<string, JobProgress[]>;
  waitEngine(device: string): Promise<EngineStatus>;
  waitJob(jobId: string, timeoutMs: number): Promise<GalleryItem>;
  /** A job's final state when it is done (inspect jobs have frames and findings, no gallery item). */
  waitDone(jobId: string, timeoutMs: number): Promise<Extract<JobState, { state: 'done' }>>;
  bytes(url: string): Promise<Buffer>;
  close(): void;
}

export async function hostApi(origin: string, session: string): Promise<HostApi> {
  const headers = { 'x-reverie-session': session };
  const call = async <T>(channel: string, body: unknown): Promise<T> => {
    const res = await fetch(`${origin}/api/${channel}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: toWire(body) });
    const env = fromWire(await res.text()) as { ok: boolean; value?: T; error?: { message: string } };
    if (!env.ok) throw new Error(`${channel}: ${env.error?.message}`);
    return env.value as T;
  };
  const progress = new Map<string, JobProgress[]>();
  const states = new Map<string, JobState>();
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/events`, ['reverie.events', `reverie.session.${session}`], { headers: { origin } });
  socket.on('message', (data) => {
    const event = fromWire(String(data)) as { channel: string; payload: unknown };
    if (event.channel === 'job.progress') {
      const p = event.payload as JobProgress;
      progress.set(p.jobId, [...(progress.get(p.jobId) ?? []), p]);
    }
    if (event.channel === 'job.state') states.set((event.payload as JobState).jobId, event.payload as JobState);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const poll = async <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  return {
    call,
    progress,
    waitEngine: (device) =>
      poll(`the engine on ${device}`, 180_000, async () => {
        const s = await call<EngineStatus>('engine.status', {});
        if (s.state === 'failed') throw new Error(`engine failed: ${s.error.message}`);
        return s.state === 'ready' && s.device === device ? s : undefined;
      }),
    waitJob: (jobId, timeoutMs) =>
      poll(`job ${jobId}`, timeoutMs, async () => {
        const s = states.get(jobId);
        if (s?.state === 'failed') throw new Error(`job failed: ${s.error.message}`);
        if (s?.state === 'cancelled') throw new Error('job cancelled');
        return s?.state === 'done' ? (s.item as GalleryItem) : undefined;
      }),
    waitDone: (jobId, timeoutMs) =>
      poll(`job ${jobId}`, timeoutMs, async () => {
        const s = states.get(jobId);
        if (s?.state === 'failed') throw new Error(`job failed: ${s.error.message}`);
        if (s?.state === 'cancelled') throw new Error('job cancelled');
        return s?.state === 'done' ? s : undefined;
      }),
    bytes: async (url) => {
      const res = await fetch(new URL(url, origin), { headers });
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    close: () => socket.close(),
  };
}
