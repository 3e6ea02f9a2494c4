// Shared by the app tests: a real service (engine in a worker thread) on a temporary data folder,
// and raw HTTP requests that keep their exact path (no client-side normalisation).
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostEvent } from '../contract/channels.ts';
import type { JobProgress, JobState } from '../contract/types.ts';
import { createService, type Service } from '../host/service.ts';
import { threadEngine } from '../host/threadLink.ts';
import { BadRequestError } from '../host/validate.ts';
import { insideRoots } from '../host/localModels.ts';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `reverie-${prefix}-`));
}

/** A real service on `dataDir`, its settings and presets in `<dataDir>/config` (never the user's). */
/** The engine is pinned to wasm unless `pinBackend` is false (then it runs the saved setting's backend). */
export function testService(dataDir: string, previewIntervalMs = 0, extra: { cacheDir?: string; configDir?: string; pinBackend?: boolean; allowLoopbackModels?: boolean; localModelPath?: (path: string) => Promise<string> } = {}): Service {
  const pinned = extra.pinBackend !== false;
  return createService({
    dataDir,
    configDir: extra.configDir ?? join(dataDir, 'config'),
    ...(extra.cacheDir ? { cacheDir: extra.cacheDir } : {}),
    ...(extra.allowLoopbackModels ? { allowLoopbackModels: true } : {}),
    mode: 'browser',
    appVersion: '0.0.0-test',
    launchEngine: threadEngine(pinned ? { backend: 'wasm' } : {}),
    backendPinned: pinned ? 'wasm' : null,
    fileUrl: (relative) => `/files/${relative}`,
    previewIntervalMs,
    openFile: async () => {
      throw new BadRequestError('no dialogs in tests');
    },
    openModelFolder: async () => {
      throw new BadRequestError('no dialogs in tests');
    },
    // As browser mode: model folders only inside the data folder, unless a test says otherwise.
    localModelPath: extra.localModelPath ?? ((path) => insideRoots(path, [dataDir], 'the data folder')),
    saveResult: async (item) => ({ kind: 'download', url: `/files/gallery/${item.id}/result.png?download=x.png`, fileName: 'x.png' }),
    saveVideo: async (video) => ({ kind: 'download', url: `${video.url}?download=${video.file}`, fileName: video.file }),
  });
}

/** A stand-in renderer folder (the real build is exercised by the e2e tests). */
export async function fixtureRenderer(): Promise<string> {
  const dir = await tempDir('renderer');
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Reverie</title>');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}

export interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/**
 * Sends one HTTP/1.1 request exactly as written, so "..", "%2e%2e" and odd Hosts reach the server.
 * `announceOnly`: send the head and wait for the answer (its Content-Length is the caller's);
 * `chunks`: stream that many chunks of zeros, chunked, without waiting for the server.
 */
export function rawRequest(port: number, lines: string[], body = '', stream: { announceOnly?: boolean; chunks?: number; chunkBytes?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    const finish = (): void => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body: rest.join('\r\n\r\n') });
    };
    // A server that answered and closed while we were still sending resets the socket: the answer stands.
    socket.on('error', (err) => (data ? finish() : reject(err)));
    socket.on('end', finish);
    if (stream.announceOnly) return void socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    if (stream.chunks !== undefined) {
      socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
      const chunk = Buffer.concat([Buffer.from(`${(stream.chunkBytes ?? 1024).toString(16)}\r\n`), Buffer.alloc(stream.chunkBytes ?? 1024, 0x30), Buffer.from('\r\n')]);
      for (let i = 0; i < stream.chunks && !socket.destroyed; i++) socket.write(chunk);
      if (!socket.destroyed) socket.write('0\r\n\r\n');
      return;
    }
    socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`);
  });
}

/** Records a service's events from now on, and waits for a job's end. */
export function recordEvents(service: Service) {
  const events: HostEvent[] = [];
  service.subscribe((e) => events.push(e));
  return {
    events,
    /** The job's last state ('done', 'failed' or 'cancelled'), seen already or when it comes. */
    finished(jobId: string): Promise<JobState> {
      return new Promise((resolve) => {
        const check = (e: HostEvent): boolean => {
          if (e.channel === 'job.state' && e.payload.jobId === jobId && ['done', 'failed', 'cancelled'].includes(e.payload.state)) {
            resolve(e.payload);
            return true;
          }
          return false;
        };
        if (events.some(check)) return;
        const stop = service.subscribe((e) => check(e) && stop());
      });
    },
    progress(jobId: string): JobProgress[] {
      return events.flatMap((e) => (e.channel === 'job.progress' && e.payload.jobId === jobId ? [e.payload] : []));
    },
  };
}

/** Spends a browser-mode server's launch token as the page does: the session credential (from the page's meta tag) and the view cookie. */
export async function openSession(port: number, token: string): Promise<{ session: string; cookie: string; page: RawResponse }> {
  const page = await rawRequest(port, [`GET /?token=${token} HTTP/1.1`, `Host: 127.0.0.1:${port}`]);
  const session = /<meta name="reverie-session" content="([\w-]+)">/.exec(page.body)?.[1];
  const cookie = /set-cookie: ([^;\r\n]+)/i.exec(page.headers)?.[1];
  if (page.status !== 200 || !session || !cookie) throw new Error(`the token did not open a session: HTTP ${page.status} ${page.body.slice(0, 200)}`);
  return { session, cookie, page };
}
