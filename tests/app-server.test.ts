// Browser mode's server, for real: loopback only, every request needs the launch token, the right
// Host and (when sent) our Origin; files never leak from outside the served folders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebSocket } from 'ws';
import { invokeChannels } from '../contract/channels.ts';
import { fromWire, toWire } from '../contract/wire.ts';
import { startAppServer, type AppServer } from '../server/httpServer.ts';
import type { Service } from '../host/service.ts';
import { fixtureRenderer, rawRequest, tempDir, testService } from './appHelpers.ts';

const TOKEN = 'test-token-0123456789abcdef';
let app: AppServer;
let service: Service;
let dataDir: string;
let port: number;
let host: string;

beforeAll(async () => {
  dataDir = await tempDir('server');
  const outside = join(dirname(dataDir), `${dataDir.split('/').pop()}-secret.txt`);
  await writeFile(outside, 'TOP SECRET');
  await writeFile(join(dataDir, 'notes.txt'), 'not served: outside inputs/ and gallery/');
  await mkdir(join(dataDir, 'gallery', 'g1'), { recursive: true });
  await writeFile(join(dataDir, 'gallery', 'g1', 'thumb.jpg'), 'jpeg bytes');
  await writeFile(join(dataDir, 'gallery', 'g1', '.entry.json.tmp'), 'partial');
  await symlink(outside, join(dataDir, 'gallery', 'g1', 'link.png'));
  service = testService(dataDir);
  app = await startAppServer({ service, token: TOKEN, rendererDir: await fixtureRenderer(), dataDir, port: 0 });
  port = app.port;
  host = `127.0.0.1:${port}`;
});
afterAll(async () => {
  await app.close();
  await service.close();
});

const get = (path: string, headers: string[] = [`Host: ${host}`]) => rawRequest(port, [`GET ${path} HTTP/1.1`, ...headers]);
const post = (path: string, body: unknown, headers: string[]) => rawRequest(port, [`POST ${path} HTTP/1.1`, `Host: ${host}`, 'Content-Type: application/json', ...headers], toWire(body));
const auth = `X-Reverie-Token: ${TOKEN}`;

describe('who may connect', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect((app.server.address() as { address: string }).address).toBe('127.0.0.1');
    expect(app.url).toBe(`http://127.0.0.1:${port}/?token=${TOKEN}`);
  });

  it('refuses every kind of request without the token, or with a wrong one', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/files/gallery/g1/thumb.jpg', '/nothing']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(r.body).toContain('token');
    }
    expect((await post('/api/app.info', {}, [])).status).toBe(401);
    expect((await post('/api/app.info', {}, ['X-Reverie-Token: wrong'])).status).toBe(401);
    expect((await get(`/?token=${TOKEN}x`)).status).toBe(401);
  });

  it('accepts the token from the URL, sets a cookie, and then accepts the cookie', async () => {
    const first = await get(`/?token=${TOKEN}`);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<title>Reverie</title>');
    const cookie = /set-cookie: ([^;]+);[^\r\n]*HttpOnly; SameSite=Strict/i.exec(first.headers)?.[1];
    expect(cookie).toBe(`reverie_token_${port}=${TOKEN}`);
    const later = await get('/files/gallery/g1/thumb.jpg', [`Host: ${host}`, `Cookie: ${cookie}`]);
    expect(later.status).toBe(200);
    expect(later.body).toBe('jpeg bytes');
    expect(first.headers.toLowerCase()).toContain("content-security-policy: default-src 'none'");
  });

  it('refuses a foreign Host even with the token (DNS rebinding)', async () => {
    for (const h of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `0.0.0.0:${port}`]) {
      const r = await get(`/?token=${TOKEN}`, [`Host: ${h}`]);
      expect(r.status, h).toBe(421);
    }
    expect((await rawRequest(port, [`GET /?token=${TOKEN} HTTP/1.1`])).status).not.toBe(200);
  });

  it('refuses API calls from another origin even with the token', async () => {
    const r = await post('/api/app.info', {}, [auth, 'Origin: http://evil.example']);
    expect(r.status).toBe(403);
    const ok = await post('/api/app.info', {}, [auth, `Origin: http://${host}`]);
    expect(ok.status).toBe(200);
    expect(fromWire(ok.body)).toMatchObject({ ok: true, value: { mode: 'browser', dataDir } });
  });

  it('opens the event WebSocket only with the token and our origin', async () => {
    const tryWs = (query: string, origin: string): Promise<string> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`ws://${host}/api/events${query}`, { origin });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', () => resolve('error'));
      });
    expect(await tryWs('', `http://${host}`)).toBe('401');
    expect(await tryWs(`?token=${TOKEN}`, 'http://evil.example')).toBe('403');
    expect(await tryWs(`?token=${TOKEN}`, `http://${host}`)).toBe('open');
  });
});

describe('what may be read', () => {
  it.each([
    '/files/../../etc/passwd',
    '/files/gallery/../../secret.txt',
    '/files/gallery/..%2f..%2f..%2fsecret.txt',
    '/files/%2e%2e/%2e%2e/etc/passwd',
    '/files/gallery/g1/..%5c..%5cnotes.txt',
    '/files/notes.txt',
    '/files/gallery/g1/.entry.json.tmp',
    '/files/gallery/g1/link.png',
    '/assets/../../package.json',
    '/..%2f..%2fpackage.json',
    '/files//etc/passwd',
  ])('does not serve %s', async (path) => {
    const r = await get(path, [`Host: ${host}`, auth]);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('TOP SECRET');
    expect(r.body).not.toContain('root:');
    expect(r.body).not.toContain('not served');
  });

  it('serves files inside the served folders, and downloads with a safe name', async () => {
    const r = await get('/files/gallery/g1/thumb.jpg?download=../"x".png', [`Host: ${host}`, auth]);
    expect(r.status).toBe(200);
    expect(r.headers.toLowerCase()).toContain('content-disposition: attachment; filename="x-.png"');
  });
});

describe('the contract over HTTP', () => {
  it('has one route per invoke channel: the service handlers are exactly the contract', () => {
    expect(Object.keys(service.handlers).sort()).toEqual([...invokeChannels].sort());
  });

  it('answers unknown channels, events, GETs and non-JSON bodies with clear refusals', async () => {
    expect((await post('/api/no.such', {}, [auth])).status).toBe(404);
    expect((await post('/api/job.progress', {}, [auth])).status).toBe(404);
    expect((await get('/api/app.info', [`Host: ${host}`, auth])).status).toBe(405);
    const text = await rawRequest(port, ['POST /api/app.info HTTP/1.1', `Host: ${host}`, auth, 'Content-Type: text/plain'], '{}');
    expect(text.status).toBe(415);
  });

  it('returns handler errors with their type name', async () => {
    const r = await post('/api/gallery.delete', { id: '../../etc' }, [auth]);
    expect(r.status).toBe(400);
    expect(fromWire(r.body)).toEqual({ ok: false, error: { name: 'BadRequestError', message: 'The gallery id is not a valid id.' } });
    const missing = await post('/api/dream.start', { inputId: 'abc', recipe: {}, maxSide: 128 }, [auth]);
    expect(missing.status).toBe(404);
    expect((fromWire(missing.body) as { error: { name: string } }).error.name).toBe('NotFoundError');
  });
});
