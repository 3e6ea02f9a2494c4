// The render farm end to end: a real redis-server on loopback, three real `reverie worker` processes,
// the real embedded model. Farm results equal local ones byte for byte; a worker SIGKILLed mid-job
// and a Redis restart mid-run still give complete, identical results; a malformed job fails alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseFarmUrl } from '../farm/url.ts';
import { runCli, spawnCli, writeTestImage } from './helpers/cli.ts';
import { expectSame, files, jobsLeftIn, pixels, queueOfWorkers } from './helpers/farmFiles.ts';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { startWorker, stopWorker, type TestWorker } from './helpers/farmWorkers.ts';

let dir: string;
let redis: TestRedis;
let workers: TestWorker[] = [];
let inputs: string;
// A 512 px tile's gradient is one synchronous call (seconds on a busy 2-core machine): the lock
// must outlast it, or a live worker's job would count as stalled.
const LOCK = ['--lock-ms', '12000'];
const ATLAS = ['--layers', 'mixed0', '--channels', '0-23', '--size', '32', '--steps', '4', '--backend', 'wasm'];
const BATCH = ['--steps', '3', '--octaves', '2', '--layers', 'mixed3', '--backend', 'wasm'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-farm-'));
  inputs = join(dir, 'inputs');
  await mkdir(inputs);
  // Six different small photos (sizes and patterns differ, so a swapped result would show).
  for (let i = 0; i < 6; i++) await writeTestImage(join(inputs, `photo-${i}.png`), 96 + 8 * i, 80 + 4 * (i % 3));
  redis = await startRedis();
  workers = [0, 1, 2].map(() => startWorker(redis.url, LOCK));
  await Promise.all(workers.map((w) => w.waitFor((e) => e.type === 'ready')));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w)));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The queue of the model the workers serve (from a worker's ready event). */
const modelQueue = (): Queue => queueOfWorkers(workers[1]!, redis.url);
const jobsLeft = (): Promise<number> => jobsLeftIn(modelQueue());

describe('reverie atlas on a farm', () => {
  let local: Map<string, Buffer>;
  beforeAll(async () => {
    const r = await runCli(['atlas', '-o', join(dir, 'atlas-local'), ...ATLAS]);
    expect(r.code, r.stderr).toBe(0);
    local = await files(join(dir, 'atlas-local'));
  });

  it('renders 24 channels with three workers, byte for byte the local atlas, and leaves no jobs in Redis', async () => {
    const r = await runCli(['atlas', '-o', join(dir, 'atlas-farm'), ...ATLAS, '--farm', redis.url, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectSame(await files(join(dir, 'atlas-farm')), local, 24);
    // The jobs were spread: more than one worker finished some.
    const busy = workers.filter((w) => w.events.some((e) => e.type === 'job-completed' && e.kind === 'feature'));
    expect(busy.length).toBeGreaterThan(1);
    expect(await readFile(join(dir, 'atlas-farm', 'index.html'), 'utf8')).toEqual(await readFile(join(dir, 'atlas-local', 'index.html'), 'utf8'));
    expect(await jobsLeft()).toBe(0);
  });

  it('survives a Redis restart (append-only file) mid-run with every tile identical', async () => {
    const child = spawnCli(['atlas', '-o', join(dir, 'atlas-restart'), ...ATLAS, '--farm', redis.url, '--json']);
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const firstTile = new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"type":"progress"')) ok();
    }));
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    await firstTile;
    await redis.restart();
    expect(await exited, err).toBe(0);
    expectSame(await files(join(dir, 'atlas-restart')), local, 24);
  });
});

describe('reverie batch on a farm', () => {
  let local: Map<string, Buffer>;
  beforeAll(async () => {
    const r = await runCli(['batch', inputs, '-o', join(dir, 'batch-local'), ...BATCH]);
    expect(r.code, r.stderr).toBe(0);
    local = await pixels(join(dir, 'batch-local'));
  });

  it('dreams a batch of 6 images with the same pixels as locally', async () => {
    const r = await runCli(['batch', inputs, '-o', join(dir, 'batch-farm'), ...BATCH, '--farm', redis.url]);
    expect(r.code, r.stderr).toBe(0);
    expectSame(await pixels(join(dir, 'batch-farm')), local, 6);
  });

  it('a worker SIGKILLed mid-job: its job is retried elsewhere, nothing missing or duplicated', async () => {
    const victim = workers[0]!;
    const seen = victim.events.length;
    const child = spawnCli(['batch', inputs, '-o', join(dir, 'batch-kill'), ...BATCH, '--farm', redis.url, '--json']);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    const active = await victim.waitFor((e) => e.type === 'job-active' && victim.events.indexOf(e) >= seen);
    victim.child.kill('SIGKILL');
    await victim.exited;
    expect(await exited, err).toBe(0);
    expectSame(await pixels(join(dir, 'batch-kill')), local, 6);
    // The killed worker's job was finished by another one.
    const rescuer = workers.slice(1).find((w) => w.events.some((e) => e.type === 'job-completed' && e.id === active.id));
    expect(rescuer, `job ${active.id} was not completed by another worker`).toBeDefined();
    expect(victim.events.some((e) => e.type === 'job-completed' && e.id === active.id)).toBe(false);
    workers[0] = startWorker(redis.url, LOCK);
    await workers[0].waitFor((e) => e.type === 'ready');
  });

  it('SIGTERM drains a worker: the job in hand finishes there, then it exits cleanly', async () => {
    const leaving = workers[2]!;
    const seen = leaving.events.length;
    const child = spawnCli(['batch', inputs, '-o', join(dir, 'batch-drain'), ...BATCH, '--farm', redis.url, '--json']);
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    const active = await leaving.waitFor((e) => e.type === 'job-active' && leaving.events.indexOf(e) >= seen);
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited, leaving.stderr()).toBe(0);
    const after = leaving.events.slice(seen).map((e) => e.type);
    expect(after).toContain('draining');
    expect(leaving.events.some((e) => e.type === 'job-completed' && e.id === active.id)).toBe(true);
    expect(after.at(-1)).toBe('stopped');
    expect(await exited).toBe(0);
    expectSame(await pixels(join(dir, 'batch-drain')), local, 6);
    workers[2] = startWorker(redis.url, LOCK);
    await workers[2].waitFor((e) => e.type === 'ready');
  });
});

describe('reverie sweep on a farm', () => {
  it('writes the same labelled sheet as locally', async () => {
    const SWEEP = [join(inputs, 'photo-0.png'), '--vary', 'layers=mixed3,mixed4', '--vary', 'step-size=1,3', '--steps', '2', '--octaves', '1', '--cell', '96', '--backend', 'wasm'];
    const local = await runCli(['sweep', ...SWEEP, '-o', join(dir, 'sweep-local.png')]);
    expect(local.code, local.stderr).toBe(0);
    const farm = await runCli(['sweep', ...SWEEP, '-o', join(dir, 'sweep-farm.png'), '--farm', redis.url]);
    expect(farm.code, farm.stderr).toBe(0);
    const [a, b] = await Promise.all(['sweep-farm.png', 'sweep-local.png'].map((f) => sharp(join(dir, f)).raw().toBuffer()));
    expect(a!.length).toBeGreaterThan(96 * 96 * 3 * 4);
    expect(a!.equals(b!)).toBe(true);
  });
});

describe('reverie filters --farm', () => {
  it('renders the channels the cache lacks on the farm: the same sheet as locally, then cached', async () => {
    const FILTERS = ['--layer', 'mixed0', '--channels', '0-5', '--size', '32', '--steps', '4', '--backend', 'wasm'];
    const local = await runCli(['filters', ...FILTERS, '--no-cache', '-o', join(dir, 'filters-local.png')]);
    expect(local.code, local.stderr).toBe(0);
    const cacheDir = join(dir, 'filters-cache');
    const farm = await runCli(['filters', ...FILTERS, '--cache-dir', cacheDir, '-o', join(dir, 'filters-farm.png'), '--farm', redis.url]);
    expect(farm.code, farm.stderr).toBe(0);
    const [a, b] = await Promise.all(['filters-farm.png', 'filters-local.png'].map((f) => sharp(join(dir, f)).raw().toBuffer()));
    expect(a!.equals(b!)).toBe(true);
    const again = await runCli(['filters', ...FILTERS, '--cache-dir', cacheDir, '-o', join(dir, 'filters-again.png'), '--farm', redis.url]);
    expect(again.stderr).toMatch(/6 of 6 from the cache/);
  });
});

describe('reverie dream --farm: one big frame', () => {
  it('spreads the tiles of each step of a 1024x1024 dream over the workers, with the local pixels', async () => {
    const big = join(dir, 'big.png');
    await writeTestImage(big, 1024, 1024);
    const DREAM = ['--tile', '512', '--octaves', '1', '--steps', '2', '--layers', 'mixed3', '--backend', 'wasm'];
    const seen = workers.map((w) => w.events.length);
    const farm = await runCli(['dream', big, '-o', join(dir, 'big-farm.png'), ...DREAM, '--farm', redis.url]);
    expect(farm.code, farm.stderr).toBe(0);
    const local = await runCli(['dream', big, '-o', join(dir, 'big-local.png'), ...DREAM]);
    expect(local.code, local.stderr).toBe(0);
    const [a, b] = await Promise.all([sharp(join(dir, 'big-farm.png')).raw().toBuffer(), sharp(join(dir, 'big-local.png')).raw().toBuffer()]);
    expect(a.length).toBe(1024 * 1024 * 3);
    expect(a.equals(b)).toBe(true);
    // 2 steps x 4 tiles, each done once, by more than one worker.
    const tiles = workers.flatMap((w, i) => w.events.slice(seen[i]).filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile'));
    expect(tiles).toHaveLength(8);
    expect(new Set(workers.filter((w, i) => w.events.slice(seen[i]).some((e) => e.kind === 'dream-tile')).map((w) => w.child.pid)).size).toBeGreaterThan(1);
    expect(await jobsLeft()).toBe(0);
  });
});

describe('two submitters of the same dream at once', () => {
  it('share its steps on one farm: both finish with the local pixels, and Redis keeps no tile, claim or job', async () => {
    const photo = join(dir, 'twice.png');
    await writeTestImage(photo, 256, 192);
    // Same recipe, seed and image: the same content-addressed steps, jobs and tile keys.
    const DREAM = ['--tile', '128', '--octaves', '2', '--steps', '2', '--layers', 'mixed3', '--backend', 'wasm'];
    const [a, b] = await Promise.all(['twice-a', 'twice-b'].map((name) => runCli(['dream', photo, '-o', join(dir, `${name}.png`), ...DREAM, '--farm', redis.url])));
    expect(a!.code, a!.stderr).toBe(0);
    expect(b!.code, b!.stderr).toBe(0);
    const local = await runCli(['dream', photo, '-o', join(dir, 'twice-local.png'), ...DREAM]);
    expect(local.code, local.stderr).toBe(0);
    const [pa, pb, pl] = await Promise.all(['twice-a', 'twice-b', 'twice-local'].map((name) => sharp(join(dir, `${name}.png`)).raw().toBuffer()));
    expect(pl!.length).toBe(256 * 192 * 3);
    expect(pa!.equals(pl!)).toBe(true);
    expect(pb!.equals(pl!)).toBe(true);
    const client = new Redis(parseFarmUrl(redis.url).options);
    const left = (await client.keys('reverie:*')).filter((k) => /:(blob|ref|claims|closing):/.test(k));
    client.disconnect();
    expect(left).toEqual([]);
    expect(await jobsLeft()).toBe(0);
  });
});

describe('farm URLs and models on the command line', () => {
  it('refuses a farm beyond loopback without a password, and a worker with no model it can get', async () => {
    const open = await runCli(['worker', '--farm', 'redis://10.254.0.1:6379']);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/FarmUrlError: .*no password.*--farm-insecure/);
    const none = await runCli(['worker', '--farm', redis.url, '--model', 'no_such_model', '--json']);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/"type":"model-missing".*Cannot serve model \\"no_such_model\\".*takes no job for it/);
    expect(none.stderr).toMatch(/No model to serve/);
  });
});

describe('poisoned jobs', () => {
  it('a job of an unknown kind or with a path for a layer fails at once, alone, with a clear reason', async () => {
    const ready = workers[1]!.events.find((e) => e.type === 'ready') as unknown as { models: Array<{ id: string; sha256: string }> };
    const ref = ready.models[0]!;
    const queue = modelQueue();
    const opts = { attempts: 3, removeOnFail: false, removeOnComplete: false };
    const bad1 = await queue.add('shell', { cmd: 'touch /tmp/pwned' }, opts);
    const bad2 = await queue.add('feature', { model: ref, layer: '../../etc/passwd', channel: 0, recipe: {} }, opts);
    const good = await queue.add('feature', { model: ref, layer: 'mixed0', channel: 1, recipe: { size: 32, steps: 2 } }, opts);
    const until = Date.now() + 60_000;
    const state = async (id: string): Promise<string> => queue.getJobState(id);
    while (Date.now() < until && ((await state(bad1.id!)) !== 'failed' || (await state(bad2.id!)) !== 'failed' || (await state(good.id!)) !== 'completed')) await new Promise((r) => setTimeout(r, 200));
    const [j1, j2, j3] = await Promise.all([bad1.id!, bad2.id!, good.id!].map((id) => queue.getJob(id)));
    expect(await state(bad1.id!)).toBe('failed');
    expect(j1!.failedReason).toMatch(/Unknown job kind "shell"/);
    expect(j1!.attemptsMade).toBe(1);
    expect(j2!.failedReason).toMatch(/layer must be a layer name/);
    expect(j2!.attemptsMade).toBe(1);
    expect(await state(good.id!)).toBe('completed');
    expect(j3!.returnvalue).toMatchObject({ width: 32, height: 32 });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('an image the recipe cannot dream fails alone: the batch says which, and writes the others', async () => {
    const mixed = join(dir, 'mixed-inputs');
    await mkdir(mixed);
    await writeTestImage(join(mixed, 'fine.png'));
    await writeTestImage(join(mixed, 'tiny.png'), 12, 12);
    const r = await runCli(['batch', mixed, '-o', join(dir, 'batch-poison'), ...BATCH, '--farm', redis.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tiny\.png: .*ImageTooSmallError/);
    expect([...(await files(join(dir, 'batch-poison'))).keys()]).toEqual(['/fine.png']);
    expect(await jobsLeft()).toBe(0);
  });
});
