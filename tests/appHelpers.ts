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

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `reverie-${prefix}-`));
}

/** A real service on `dataDir`, its settings and presets in `<dataDir>/config` (never the user's). */
/** The engine is pinned to wasm unless `pinBackend` is false (then it runs the saved setting's backend). */
export function testService(dataDir: string, previewIntervalMs = 0, extra: { cacheDir?: string; configDir?: string; pinBackend?: boolean } = {}): Service {
  const pinned = extra.pinBackend !== false;
  return createService({
    dataDir,
    configDir: extra.configDir ?? join(dataDir, 'config'),
    ...(extra.cacheDir ? { cacheDir: extra.cacheDir } : {}),
    mode: 'browser',
    appVersion: '0.0.0-test',
    launchEngine: threadEngine(pinned ? { backend: 'wasm' } : {}),
    backendPinned: pinned ? 'wasm' : null,
    fileUrl: (relative) => `/files/${relative}`,
    previewIntervalMs,
    openFile: async () => {
      throw new BadRequestError('no dialogs in tests');
    },
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

/** Sends one HTTP/1.1 request exactly as written, so "..", "%2e%2e" and odd Hosts reach the server. */
export function rawRequest(port: number, lines: string[], body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body: rest.join('\r\n\r\n') });
    });
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
