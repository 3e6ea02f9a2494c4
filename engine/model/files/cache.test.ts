import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../backend.ts';
import { cacheKey, defaultCacheDir } from './cache.ts';
import { loadModelFiles } from './source.ts';
import { specsByteLength } from './modelJson.ts';
import { writeTinyLayersModel } from '../../../tests/helpers/testModels.ts';
import { ModelLoadError } from '../../shared/errors.ts';
import { listenOnLoopback, closeLoopback } from '../../../tests/helpers/loopback.ts';

let dir: string;
let server: Server;
let base: string;
let shardBytes: Buffer;
const requests: string[] = [];
const offline = (() => {
  throw new Error('network used');
}) as typeof fetch;

/**
 * Serves the tiny model under /<mode>/: 'ok' as is; 'short' with the shard cut (consistent headers);
 * 'cut' declares the full length but hangs up early; 'gone' lacks the shard; 'slow' trickles it.
 */
function serve(mode: string, file: string, res: import('node:http').ServerResponse): void {
  const body = file === 'model.json' ? modelJson : file === 'group1-shard1of1.bin' ? shardBytes : null;
  if (!body || (mode === 'gone' && file !== 'model.json')) {
    res.writeHead(404).end('not here');
    return;
  }
  if (file === 'model.json' || mode === 'ok') {
    res.writeHead(200, { 'content-length': body.length }).end(body);
  } else if (mode === 'short') {
    const cut = body.subarray(0, body.length - 64);
    res.writeHead(200, { 'content-length': cut.length }).end(cut);
  } else if (mode === 'cut') {
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, 500), () => res.destroy());
  } else if (mode === 'slow') {
    res.writeHead(200, { 'content-length': body.length });
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed || at >= body.length) {
        clearInterval(timer);
        res.end();
      } else res.write(body.subarray(at, (at += 256)));
    }, 20);
  }
}
let modelJson: Buffer;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-cache-'));
  const w = await writeTinyLayersModel(join(dir, 'served'));
  modelJson = await readFile(w.modelJsonPath);
  shardBytes = await readFile(w.shardPaths[0]!);
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const [, mode = '', file = ''] = (req.url ?? '').split('/');
    serve(mode, file, res);
  });
  base = await listenOnLoopback(server);
});

afterAll(async () => {
  await closeLoopback(server);
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  requests.length = 0;
});

/** Entries of the cache folder: the per-URL folder when complete, never a leftover temp folder. */
const cacheEntries = async (cacheDir: string) => (existsSync(cacheDir) ? readdir(cacheDir) : []);

async function loadError(url: string, cacheDir: string): Promise<ModelLoadError> {
  const err = await loadModelFiles(url, { cacheDir }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelLoadError);
  expect(await cacheEntries(cacheDir)).toEqual([]); // nothing that looks complete, no temp folder
  return err as ModelLoadError;
}

describe('URL models', () => {
  it('downloads with progress into cacheDir/<key>/, then loads offline from the cache', async () => {
    const cacheDir = join(dir, 'c1');
    const url = `${base}/ok/model.json`;
    const progress: [number, number | null][] = [];
    const files = await loadModelFiles(url, { cacheDir, onProgress: (n, t) => progress.push([n, t]) });
    expect(files.id).toBe(url);
    expect(files.format).toBe('layers-model');
    expect(files.weightData.byteLength).toBe(shardBytes.length);
    const total = specsByteLength('', files.weightSpecs);
    expect(progress[0]).toEqual([0, total]);
    expect(progress.at(-1)).toEqual([total, total]);
    expect(progress.map(([n]) => n)).toEqual([...progress.map(([n]) => n)].sort((a, b) => a - b));
    expect(requests).toEqual(['/ok/model.json', '/ok/group1-shard1of1.bin']);

    expect(await cacheEntries(cacheDir)).toEqual([cacheKey(url)]);
    const folder = join(cacheDir, cacheKey(url));
    expect(cacheKey(url)).toMatch(/^[0-9a-f]{16}$/);
    expect((await readdir(folder)).sort()).toEqual(['group1-shard1of1.bin', 'model.json', 'source.json']);
    expect(JSON.parse(await readFile(join(folder, 'source.json'), 'utf8'))).toMatchObject({ url, files: [{ path: 'group1-shard1of1.bin', bytes: shardBytes.length }] });

    const again = await loadModelFiles(url, { cacheDir, fetchImpl: offline });
    expect(Buffer.from(again.weightData).equals(shardBytes)).toBe(true);
    expect(again.id).toBe(url);
    expect(requests).toHaveLength(2);
  });

  it('downloads again when the cached copy is damaged', async () => {
    const cacheDir = join(dir, 'c2');
    const url = `${base}/ok/model.json`;
    await loadModelFiles(url, { cacheDir });
    await truncate(join(cacheDir, cacheKey(url), 'group1-shard1of1.bin'), 10);
    await expect(loadModelFiles(url, { cacheDir, fetchImpl: offline })).rejects.toThrow(/network used/);
    const files = await loadModelFiles(url, { cacheDir });
    expect(Buffer.from(files.weightData).equals(shardBytes)).toBe(true);
  });

  it('rejects a truncated shard, naming its URL, and caches nothing', async () => {
    const err = await loadError(`${base}/short/model.json`, join(dir, 'c3'));
    expect(err.file).toBe(`${base}/short/group1-shard1of1.bin`);
    expect(err.problem).toMatch(/truncated/);
  });

  it('rejects a connection closed before Content-Length bytes arrived', async () => {
    const err = await loadError(`${base}/cut/model.json`, join(dir, 'c4'));
    expect(err.file).toBe(`${base}/cut/group1-shard1of1.bin`);
    expect(err.problem).toMatch(/interrupted|ended after/);
  });

  it('names the URL of a missing shard or model.json', async () => {
    const shard = await loadError(`${base}/gone/model.json`, join(dir, 'c5'));
    expect(shard.message).toContain(`${base}/gone/group1-shard1of1.bin`);
    expect(shard.problem).toMatch(/HTTP 404/);
    const json = await loadError(`${base}/ok/nothing.json`, join(dir, 'c5'));
    expect(json.file).toBe(`${base}/ok/nothing.json`);
  });

  it('stops on abort, before or during the download, leaving no cache', async () => {
    const cacheDir = join(dir, 'c6');
    const url = `${base}/slow/model.json`;
    await expect(loadModelFiles(url, { cacheDir, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toEqual([]);
    const ctl = new AbortController();
    const seen: number[] = [];
    const onProgress = (n: number) => {
      seen.push(n);
      if (n > 0) ctl.abort();
    };
    await expect(loadModelFiles(url, { cacheDir, signal: ctl.signal, onProgress })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.at(-1)).toBeLessThan(shardBytes.length);
    expect(await cacheEntries(cacheDir)).toEqual([]);
  });
});

describe('defaultCacheDir', () => {
  afterEach(() => vi.unstubAllEnvs());
  it('prefers $REVERIE_CACHE_DIR, then $XDG_CACHE_HOME/reverie/models, then ~/.cache/reverie/models', () => {
    vi.stubEnv('REVERIE_CACHE_DIR', '/r');
    vi.stubEnv('XDG_CACHE_HOME', '/x');
    expect(defaultCacheDir()).toBe('/r');
    vi.stubEnv('REVERIE_CACHE_DIR', '');
    expect(defaultCacheDir()).toBe('/x/reverie/models');
    vi.stubEnv('XDG_CACHE_HOME', '');
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'reverie', 'models'));
  });
});
