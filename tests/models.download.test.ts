// The model manager against a real HTTP server on 127.0.0.1 serving a tiny real model: size first,
// download with progress, a connection dropped mid-shard resumed with a Range request, corrupt shards
// refused, checksums recorded and verified, the cache reused offline, removal, and folder installs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.ts';
import { writeTinyLayersModel } from './helpers/testModels.ts';
import { addModel, listModels, ModelManagerError, probeModel, removeModel } from '../engine/model/files/manager.ts';
import { cacheKey, cachedDownload, readSource } from '../engine/model/files/cache.ts';
import { downloadPlan, loadModelFiles, readModelFolder } from '../engine/model/files/source.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { MODEL_CATALOGUE } from '../engine/model/files/registry.ts';
import { ModelLoadError } from '../engine/shared/errors.ts';
import { listenOnLoopback, closeLoopback } from './helpers/loopback.ts';

let dir: string;
let server: Server;
let base: string;
const files = new Map<string, Buffer>(); // model.json and its three shards
const requests: Array<{ url: string; range: string | undefined }> = [];
let dropsLeft = 0;
const offline = (() => {
  throw new Error('network used');
}) as typeof fetch;

/** /ok/… as is; /drop/… hangs up halfway through shard 2 while dropsLeft > 0 and honours Range; /bad/… flips a byte of shard 1. */
function serve(req: IncomingMessage, res: ServerResponse): void {
  const [, mode = '', file = ''] = (req.url ?? '').split('?')[0]!.split('/');
  requests.push({ url: req.url ?? '', range: req.headers.range });
  let body = files.get(file);
  if (!body) return void res.writeHead(404).end('not here');
  if (mode === 'bad' && file === 'group1-shard1of3.bin') body = Buffer.from(body.map((b, i) => (i === 7 ? b ^ 0xff : b)));
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (mode === 'drop' && range) {
    const start = Number(range[1]);
    res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }).end(body.subarray(start));
    return;
  }
  res.writeHead(200, { 'content-length': body.length });
  if (mode === 'drop' && file === 'group1-shard2of3.bin' && dropsLeft > 0) {
    dropsLeft--;
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return;
  }
  res.end(body);
}

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-models-'));
  const w = await writeTinyLayersModel(join(dir, 'served'), { shards: 3, classes: 10, userDefinedMetadata: { classLabels: Array.from({ length: 10 }, (_, i) => `digit ${i}`) } });
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

const total = () => [...files.values()].reduce((a, b) => a + b.length, 0);
const shardTotal = () => total() - files.get('model.json')!.length;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const cacheOf = (name: string) => join(dir, 'cache', name);

describe('download size first', () => {
  it('reads model.json alone: total bytes and file count, no shard fetched', async () => {
    const size = await probeModel(`${base}/ok/model.json`, { cacheDir: cacheOf('probe') });
    expect(size).toMatchObject({ url: `${base}/ok/model.json`, totalBytes: total(), files: 4, installed: false });
    expect(requests.map((r) => r.url)).toEqual(['/ok/model.json']);
    await expect(probeModel('nonsense', { cacheDir: cacheOf('probe') })).rejects.toThrow(/neither a catalogue model .*mobilenet_v1_100.* nor a URL/);
  });
});

describe('add, reuse offline, remove', () => {
  it('downloads with monotonic progress, records SHA-256s, lists it, loads it offline by name, removes it', async () => {
    const cacheDir = cacheOf('a');
    const url = `${base}/ok/model.json`;
    const progress: Array<[number, number | null]> = [];
    const listing = await addModel(url, { cacheDir, name: 'tinyten', onProgress: (n, t) => progress.push([n, t]) });
    expect(listing).toMatchObject({ name: 'tinyten', kind: 'url', installed: true, bytes: total() });
    expect(progress[0]).toEqual([0, shardTotal()]);
    expect(progress.at(-1)).toEqual([shardTotal(), shardTotal()]);
    expect(progress.map(([n]) => n)).toEqual([...progress.map(([n]) => n)].sort((a, b) => a - b));
    const record = (await readSource(join(cacheDir, cacheKey(url))))!;
    expect(record.name).toBe('tinyten');
    expect(record.modelJson!.sha256).toBe(sha(files.get('model.json')!));
    for (const f of record.files) expect(f.sha256, f.path).toBe(sha(files.get(f.path)!));
    expect((await listModels({ cacheDir })).filter((m) => m.installed).map((m) => m.name)).toEqual(['inception_v3', 'mobilenet_v2', 'tinyten']);

    requests.length = 0;
    const again = await loadModelFiles('tinyten', { cacheDir, fetchImpl: offline });
    expect(again.id).toBe('tinyten');
    const byUrl = await loadModelFiles(url, { cacheDir, fetchImpl: offline });
    expect(Buffer.from(byUrl.weightData).equals(Buffer.concat([1, 2, 3].map((i) => files.get(`group1-shard${i}of3.bin`)!)))).toBe(true);
    expect(requests).toEqual([]);

    expect(await removeModel('tinyten', { cacheDir })).toEqual({ name: 'tinyten', bytes: total() });
    expect(existsSync(join(cacheDir, cacheKey(url)))).toBe(false);
    await expect(removeModel('tinyten', { cacheDir })).rejects.toThrow(ModelManagerError);
    await expect(removeModel('inception_v3', { cacheDir })).rejects.toThrow(/embedded.*cannot be removed/);
  });

  it('resumes a shard whose connection dropped halfway, with a Range request for the rest', async () => {
    const cacheDir = cacheOf('drop');
    dropsLeft = 1;
    const progress: number[] = [];
    await addModel(`${base}/drop/model.json`, { cacheDir, name: 'resumed', onProgress: (n) => progress.push(n) });
    const shard2 = requests.filter((r) => r.url === '/drop/group1-shard2of3.bin');
    const half = Math.floor(files.get('group1-shard2of3.bin')!.length / 2);
    expect(shard2.map((r) => r.range)).toEqual([undefined, `bytes=${half}-`]);
    expect(progress.at(-1)).toBe(shardTotal()); // the resumed bytes are not counted twice
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const loaded = await loadModelFiles('resumed', { cacheDir, fetchImpl: offline });
    expect(Buffer.from(loaded.weightData).subarray(files.get('group1-shard1of3.bin')!.length).subarray(0, half + 10).equals(files.get('group1-shard2of3.bin')!.subarray(0, half + 10))).toBe(true);
  });

  it('refuses a corrupt shard whose checksum is pinned, caching nothing', async () => {
    const cacheDir = cacheOf('bad');
    const expectedSha256 = Object.fromEntries([...files].map(([name, b]) => [name, sha(b)]));
    const plan = downloadPlan;
    const open = (folder: string) => readModelFolder(join(folder, 'model.json'), 'x');
    const err = await cachedDownload(`${base}/bad/model.json`, { cacheDir, expectedSha256 }, plan, open).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).file).toBe(`${base}/bad/group1-shard1of3.bin`);
    expect((err as ModelLoadError).problem).toMatch(/checksum mismatch/);
    expect(await readdir(cacheDir)).toEqual([]);
    // The good copy passes the same pins.
    await cachedDownload(`${base}/ok/model.json`, { cacheDir, expectedSha256 }, plan, open);
  });

  it('notices a cached shard corrupted on disk (same size) and downloads it again', async () => {
    const cacheDir = cacheOf('rot');
    const url = `${base}/ok/model.json`;
    await addModel(url, { cacheDir, name: 'rot' });
    const shard = join(cacheDir, cacheKey(url), 'group1-shard3of3.bin');
    const bytes = await readFile(shard);
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(shard, bytes);
    await expect(loadModelFiles(url, { cacheDir, fetchImpl: offline })).rejects.toThrow(/network used/);
    const fresh = await loadModelFiles(url, { cacheDir });
    expect(Buffer.from(fresh.weightData).subarray(-bytes.length).equals(files.get('group1-shard3of3.bin')!)).toBe(true);
  });

  it('stops on abort, leaving no cache entry', async () => {
    const cacheDir = cacheOf('abort');
    const ctl = new AbortController();
    const err = await addModel(`${base}/ok/model.json`, { cacheDir, signal: ctl.signal, onProgress: () => ctl.abort() }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(await readdir(cacheDir)).toEqual([]);
  });
});

describe('catalogue and folders', () => {
  it('lists the catalogue with sources and licenses, and installs an entry by name (URL served locally)', async () => {
    const cacheDir = cacheOf('cat');
    const entry = MODEL_CATALOGUE.find((e) => e.name === 'mobilenet_v1_100')!;
    expect(MODEL_CATALOGUE.every((e) => /^https:\/\//.test(e.url) && e.license && e.source)).toBe(true);
    const before = (await listModels({ cacheDir })).find((m) => m.name === 'mobilenet_v1_100')!;
    expect(before).toMatchObject({ installed: false, bytes: null, format: 'layers-model', license: 'Apache-2.0' });
    // Stand-in for the real host: the same URL answered by the local server.
    const local = ((input: string | URL | Request, init?: RequestInit) => fetch(String(input).replace(entry.url.replace('model.json', ''), `${base}/ok/`), init)) as typeof fetch;
    const listing = await addModel('mobilenet_v1_100', { cacheDir, fetchImpl: local });
    expect(listing).toMatchObject({ name: 'mobilenet_v1_100', kind: 'catalogue', installed: true, bytes: total() });
    const model = await loadDreamModel('mobilenet_v1_100', { cacheDir, fetchImpl: offline });
    expect(model.id).toBe('mobilenet_v1_100');
    expect(model.inputRange).toEqual([-1, 1]);
    expect(model.layers(32, 32).find((l) => l.name === 'mixed0')!.training).toBe('imagenet');
    model.dispose();
    expect((await removeModel('mobilenet_v1_100', { cacheDir })).bytes).toBe(total());
  });

  it('adds a local folder under a name, refusing broken folders and taken names', async () => {
    const cacheDir = cacheOf('folder');
    const folder = join(dir, 'my-model');
    await writeTinyLayersModel(folder, { classes: 10 });
    const listing = await addModel(folder, { cacheDir });
    expect(listing).toMatchObject({ name: 'my-model', kind: 'folder', installed: true });
    const files2 = await loadModelFiles('my-model', { cacheDir });
    expect(files2.id).toBe('my-model');
    await expect(addModel(folder, { cacheDir, name: 'inception_v3' })).rejects.toThrow(/name of a built-in or catalogue model/);
    // One name, one model: another source under a taken name is refused; the same folder again is fine.
    const other = join(dir, 'other-model');
    await writeTinyLayersModel(other, { classes: 10, seed: 2 });
    await expect(addModel(other, { cacheDir, name: 'my-model' })).rejects.toThrow(/"my-model" already names the model from file:/);
    await expect(addModel(`${base}/ok/model.json`, { cacheDir, name: 'my-model' })).rejects.toThrow(ModelManagerError);
    expect((await addModel(folder, { cacheDir })).name).toBe('my-model');
    expect((await listModels({ cacheDir })).filter((m) => m.name === 'my-model')).toHaveLength(1);
    await writeFile(join(folder, 'group1-shard1of1.bin'), Buffer.alloc(5));
    await expect(addModel(folder, { cacheDir, name: 'broken' })).rejects.toThrow(/truncated/);
    const m = await loadDreamModel('my-model', { cacheDir });
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    tf.dispose([x, ...Object.values(m.activations(x, ['mixed0']))]);
    m.dispose();
  });
});
