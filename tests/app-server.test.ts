// Browser mode's server, for real: loopback only, every request needs the launch token, the right
// Host and (when sent) our Origin; files never leak from outside the served folders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { invokeChannels } from '../contract/channels.ts';
import { fromWire, toWire } from '../contract/wire.ts';
import { startAppServer, type AppServer } from '../server/httpServer.ts';
import type { Service } from '../host/service.ts';
import { fixtureRenderer, openSession, rawRequest, tempDir, testService } from './appHelpers.ts';

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
  // Inside the data folder, but outside every served folder: still not to be served.
  await symlink(join(dataDir, 'notes.txt'), join(dataDir, 'gallery', 'g1', 'notes.png'));
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
let auth: string;
let viewCookie: string;

const tryWs = (protocols: string[], origin: string, extra: Record<string, string> = {}): Promise<string> =>
  new Promise((resolve) => {
    const ws = new WebSocket(`ws://${host}/api/events`, protocols, { origin, headers: extra });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', () => resolve('error'));
  });

describe('who may connect', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect((app.server.address() as { address: string }).address).toBe('127.0.0.1');
    expect(app.url).toBe(`http://127.0.0.1:${port}/?token=${TOKEN}`);
  });

  it('refuses every kind of request before the token opened a session, or with a wrong one', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/files/gallery/g1/thumb.jpg', '/nothing']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(r.body).toContain('token');
    }
    expect((await post('/api/app.info', {}, [])).status).toBe(401);
    expect((await post('/api/app.info', {}, [`X-Reverie-Session: ${TOKEN}`])).status).toBe(401);
    expect((await get(`/?token=${TOKEN}x`)).status).toBe(401);
  });

  it('spends the token on one page load: a session for the API, a cookie for the page and files', async () => {
    const opened = await openSession(port, TOKEN);
    auth = `X-Reverie-Session: ${opened.session}`;
    viewCookie = opened.cookie;
    expect(opened.page.body).toContain('<title>Reverie</title>');
    expect(opened.page.headers).toMatch(/set-cookie: reverie_view_\d+=[^;]+; HttpOnly; SameSite=Strict; Path=\//i);
    expect(opened.page.headers.toLowerCase()).toContain("content-security-policy: default-src 'none'");
    expect(opened.session).not.toBe(TOKEN);
    // The token in history and scrollback is dead now.
    const again = await get(`/?token=${TOKEN}`);
    expect(again.status).toBe(401);
    expect(again.body).toContain('already used');
    expect((await post('/api/app.info', {}, [`X-Reverie-Session: ${TOKEN}`])).status).toBe(401);
    // The cookie loads the page (without the session in it), assets and files.
    const reload = await get('/', [`Host: ${host}`, `Cookie: ${viewCookie}`]);
    expect(reload.status).toBe(200);
    expect(reload.body).not.toContain('reverie-session');
    expect((await get('/assets/app.js', [`Host: ${host}`, `Cookie: ${viewCookie}`])).status).toBe(200);
    const file = await get('/files/gallery/g1/thumb.jpg', [`Host: ${host}`, `Cookie: ${viewCookie}`]);
    expect(file.status).toBe(200);
    expect(file.body).toBe('jpeg bytes');
    expect((await post('/api/app.info', {}, [auth])).status).toBe(200);
  });

  it('never lets the cookie (which every port of 127.0.0.1 receives) call the API or open the event socket', async () => {
    const r = await post('/api/app.info', {}, [`Cookie: ${viewCookie}`]);
    expect(r.status).toBe(401);
    const cookieValue = viewCookie.split('=')[1]!;
    expect((await post('/api/app.info', {}, [`X-Reverie-Session: ${cookieValue}`])).status).toBe(401);
    expect(await tryWs(['reverie.events'], `http://${host}`, { cookie: viewCookie })).toBe('401');
  });

  it('refuses a foreign Host, localhost included, even with the session (DNS rebinding, [::1])', async () => {
    for (const h of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `0.0.0.0:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const r = await get('/', [`Host: ${h}`, `Cookie: ${viewCookie}`]);
      expect(r.status, h).toBe(421);
    }
    // No Host at all: Node refuses HTTP/1.1 itself; HTTP/1.0 (where Host is optional) reaches our check.
    expect((await rawRequest(port, ['GET / HTTP/1.1', `Cookie: ${viewCookie}`])).status).toBe(400);
    const old = await rawRequest(port, ['GET / HTTP/1.0', `Cookie: ${viewCookie}`]);
    expect(old.status).toBe(421);
    expect(old.body).toContain('127.0.0.1');
  });

  it('refuses API calls from another origin even with the session', async () => {
    const r = await post('/api/app.info', {}, [auth, 'Origin: http://evil.example']);
    expect(r.status).toBe(403);
    expect((await post('/api/app.info', {}, [auth, `Origin: http://127.0.0.1:${port + 1}`])).status).toBe(403);
    const ok = await post('/api/app.info', {}, [auth, `Origin: http://${host}`]);
    expect(ok.status).toBe(200);
    const info = (fromWire(ok.body) as { value: { mode: string; dataDir: string } }).value;
    expect(info.mode).toBe('browser');
    // The folder as the user finds it, never an absolute path.
    expect(info.dataDir).not.toContain(dataDir);
    expect(info.dataDir.endsWith(dataDir.split('/').pop()!)).toBe(true);
  });

  it('opens the event WebSocket only with the session and our origin', async () => {
    const session = auth.split(': ')[1]!;
    expect(await tryWs(['reverie.events'], `http://${host}`)).toBe('401');
    expect(await tryWs(['reverie.events', `reverie.session.${TOKEN}`], `http://${host}`)).toBe('401');
    expect(await tryWs(['reverie.events', `reverie.session.${session}`], 'http://evil.example')).toBe('403');
    expect(await tryWs(['reverie.events', `reverie.session.${session}`], `http://${host}`)).toBe('open');
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
    '/files/gallery/g1/notes.png',
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

describe('how much a call may send', () => {
  const big = (bytes: number) => ({ name: 'a.png', data: new Uint8Array(bytes) });

  it('refuses a body announced larger than the call allows before reading it, and the 413 arrives', async () => {
    const socketLines = ['POST /api/app.info HTTP/1.1', `Host: ${host}`, auth, 'Content-Type: application/json', `Content-Length: ${64 * 1024 * 1024}`];
    const r = await rawRequest(port, socketLines, undefined, { announceOnly: true });
    expect(r.status).toBe(413);
    expect(fromWire(r.body)).toMatchObject({ ok: false, error: { name: 'RequestError', message: expect.stringContaining('at most 256 KB') } });
  });

  it('answers 413 to a chunked body that grows past the limit while it is still being sent', async () => {
    const r = await rawRequest(port, ['POST /api/presets.import HTTP/1.1', `Host: ${host}`, auth, 'Content-Type: application/json', 'Transfer-Encoding: chunked'], undefined, { chunks: 40, chunkBytes: 64 * 1024 });
    expect(r.status).toBe(413);
    expect(r.body).toContain('at most 1.6 MB'); // a 1 MB preset file in base64, and the fields around it
  });

  it('sizes each call: a preset file over 1 MB is refused, an image of the same size is not refused for size', async () => {
    expect((await post('/api/presets.import', { file: big(2 * 1024 * 1024) }, [auth])).status).toBe(413);
    const preset = await post('/api/presets.import', { file: big(1024 * 1024 + 1) }, [auth]);
    expect(fromWire(preset.body)).toMatchObject({ ok: false, error: { name: 'BadRequestError', message: 'a.png: the file is larger than 1 MB.' } });
    const image = await post('/api/image.import', big(1024 * 1024 + 1), [auth]);
    expect(image.status).toBe(400);
    expect((fromWire(image.body) as { error: { name: string } }).error.name).not.toBe('RequestError');
  });


  it('reads at most two uploads at once; a third waits unread until one ends', async () => {
    const open = (): Socket => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(['POST /api/image.import HTTP/1.1', `Host: ${host}`, auth, 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close', '', ''].join('\r\n'));
      socket.write('1\r\n{\r\n'); // a body that has started and not ended
      return socket;
    };
    const sockets = [open(), open(), open()];
    await expect.poll(() => [app.uploads.inFlight, app.uploads.queued]).toEqual([2, 1]);
    const answers = sockets.map((s) => new Promise<string>((ok) => {
      let data = '';
      s.on('data', (d: Buffer) => (data += d.toString()));
      s.on('close', () => ok(data));
    }));
    for (const s of sockets) s.end('0\r\n\r\n'); // "{" is not JSON: each is answered with a refusal
    for (const a of await Promise.all(answers)) expect(a).toMatch(/^HTTP\/1\.1 4\d\d /);
    await expect.poll(() => [app.uploads.inFlight, app.uploads.queued]).toEqual([0, 0]);
  });
});
