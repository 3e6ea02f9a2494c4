// Model URLs come from a page, so the host fetches public addresses only: loopback, private and
// link-local addresses are refused after DNS and after every redirect (tests opt in to loopback,
// and only to loopback), sizes are capped, fetched text is never quoted back, and shard paths
// cannot climb out of model.json's folder however they are spelled.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { writeTinyLayersModel } from './helpers/testModels.ts';
import { addModel, probeModel } from '../engine/model/files/manager.ts';
import { loadModelFiles } from '../engine/model/files/source.ts';
import { publicFetch, refusalFor } from '../host/publicFetch.ts';
import { listenOnLoopback, closeLoopback } from './helpers/loopback.ts';
import { tempDir, testService } from './appHelpers.ts';

let dir: string;
let server: Server;
let base: string;
const files = new Map<string, Buffer>();
const requests: string[] = [];

/** /m/<file>: the tiny model; /html: a page with a secret; /redirect?to=URL; /huge: announces 3 GB. */
function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push(url.pathname);
  if (url.pathname === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>SECRET-ROUTER-PASSWORD</html>');
  if (url.pathname === '/redirect') return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
  if (url.pathname.endsWith('/huge/model.json') || url.pathname === '/huge') {
    res.writeHead(200, { 'content-length': String(3 * 1024 ** 3) });
    return void res.write('{');
  }
  if (url.pathname === '/secret.bin') return void res.writeHead(200).end('outside the model folder');
  const [, folder = '', file = ''] = url.pathname.split('/');
  const body = folder === 'm' || folder === 'climb' ? files.get(file) : undefined;
  if (!body) return void res.writeHead(404).end();
  if (folder === 'climb' && file === 'model.json') {
    const json = JSON.parse(body.toString()) as { weightsManifest: Array<{ paths: string[] }> };
    json.weightsManifest[0]!.paths[0] = '%2e%2e/secret.bin';
    return void res.writeHead(200).end(JSON.stringify(json));
  }
  res.writeHead(200, { 'content-length': body.length }).end(body);
}

beforeAll(async () => {
  await initBackend('wasm');
  dir = await tempDir('ssrf');
  const w = await writeTinyLayersModel(join(dir, 'served'), { shards: 2 });
  files.set('model.json', await readFile(w.modelJsonPath));
  for (const p of w.shardPaths) files.set(p.split('/').pop()!, await readFile(p));
  server = createServer(serve);
  base = await listenOnLoopback(server);
});
afterAll(async () => {
  await closeLoopback(server);
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  requests.length = 0;
});

/** Resolves the test names as an attacker's DNS would: to the machine, the router, the cloud's metadata. */
const lookup = ((host: string, _opts: unknown, cb: (err: Error | null, a: LookupAddress[]) => void) => {
  const table: Record<string, LookupAddress[]> = {
    'rebind.test': [{ address: '127.0.0.1', family: 4 }],
    'router.test': [{ address: '192.168.1.1', family: 4 }],
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
    'mixed.test': [{ address: '93.184.215.14', family: 4 }, { address: 'fd00::5', family: 6 }],
  };
  const known = table[host];
  if (known) return cb(null, known);
  dnsLookup(host, { all: true }, (err, addresses) => cb(err, addresses));
}) as never;

describe('addresses', () => {
  it('calls public addresses public, and names why the others are refused', () => {
    expect(refusalFor('93.184.215.14')).toBeNull();
    expect(refusalFor('2606:4700::1111')).toBeNull();
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(refusalFor(a), a).toMatch(/loopback/);
    for (const a of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', 'fd00::1', 'fe80::1', '::', '::ffff:10.0.0.1', '224.0.0.1']) expect(refusalFor(a), a).toMatch(/private/);
    expect(refusalFor('127.0.0.1', true)).toBeNull();
    expect(refusalFor('10.1.2.3', true)).toMatch(/private/);
  });

  it('refuses loopback however it is written or resolved, before any request is sent', async () => {
    const port = new URL(base).port;
    const get = publicFetch({ lookup });
    for (const url of [`${base}/m/model.json`, `http://localhost:${port}/m/model.json`, `http://2130706433:${port}/m/model.json`, `http://[::1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://rebind.test:${port}/m/model.json`]) {
      await expect(get(url), url).rejects.toMatchObject({ name: 'RefusedAddressError' });
    }
    await expect(get('http://router.test/')).rejects.toThrow(/private/);
    await expect(get('http://metadata.test/latest/meta-data/')).rejects.toThrow(/private/);
    await expect(get('http://mixed.test/')).rejects.toThrow(/private/); // one bad address is enough
    expect(requests).toEqual([]);
  });

  it('checks every redirect: a loopback server the test allows may not send us to private or metadata addresses', async () => {
    const get = publicFetch({ allowLoopback: true, lookup });
    const port = new URL(base).port;
    for (const to of ['http://metadata.test/latest/meta-data/', 'http://10.0.0.5/', 'http://[fd00::1]/', `http://router.test:${port}/`, 'file:///etc/passwd']) {
      await expect(get(`${base}/redirect?to=${encodeURIComponent(to)}`), to).rejects.toMatchObject({ name: 'RefusedAddressError' });
    }
    const followed = await get(`${base}/redirect?to=${encodeURIComponent('/m/model.json')}`);
    expect(followed.status).toBe(200);
    expect(await followed.text()).toBe(files.get('model.json')!.toString());
  });
});

describe('what a download may bring', () => {
  const fetchImpl = publicFetch({ allowLoopback: true });

  it('never quotes fetched content in an error', async () => {
    const err = (await probeModel(`${base}/html`, { cacheDir: join(dir, 'c1'), fetchImpl }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: 'ModelLoadError', message: expect.stringContaining('not valid JSON') });
    expect(err.message).not.toContain('SECRET');
    expect(err.message).not.toContain('<html');
  });

  it('refuses a model.json or shard announced larger than it may be, without reading it', async () => {
    await expect(probeModel(`${base}/huge`, { cacheDir: join(dir, 'c2'), fetchImpl })).rejects.toThrow(/larger than/);
    await expect(addModel(`${base}/huge/model.json`, { cacheDir: join(dir, 'c3'), fetchImpl })).rejects.toThrow(/larger than/);
  }, 20_000);

  it('does not let a %2e%2e shard path climb out of the model folder', async () => {
    const err = (await loadModelFiles(`${base}/climb/model.json`, { cacheDir: join(dir, 'c4'), fetchImpl }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: 'ModelLoadError', message: expect.stringContaining('not a plain relative path') });
    expect(requests).not.toContain('/secret.bin');
  });
});

describe('the app', () => {
  it('refuses models.probe and models.add of a loopback URL unless the host opted in', async () => {
    const data = await tempDir('ssrf-app');
    const service = testService(data, 0, { cacheDir: join(data, 'models') });
    try {
      await expect(service.handlers['models.probe']({ spec: `${base}/m/model.json` })).rejects.toMatchObject({ name: 'ModelLoadError', message: expect.stringContaining('loopback') });
      const events: unknown[] = [];
      const ended = new Promise((ok) => service.subscribe((e) => e.channel === 'models.download' && e.payload.state !== 'downloading' && ok(events.push(e.payload))));
      await service.handlers['models.add']({ spec: `http://169.254.169.254/latest/model.json` });
      await ended;
      expect(events[0]).toMatchObject({ state: 'failed', error: { message: expect.stringContaining('private') } });
      expect(requests).toEqual([]);
    } finally {
      await service.close();
    }
  }, 60_000);
});
