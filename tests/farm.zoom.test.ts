// Zoom frames on a farm, with a real redis-server and two real `reverie worker` processes: the tiles of
// each frame's steps spread like dream --farm (zoom and session dream); two zooms at once share the workers; a submitter
// SIGKILLed mid-run is picked up by `reverie resume --farm`, which reattaches to the step it left in
// Redis. Every frame equals the local render's pixels, and Redis is left empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli, spawnCli, writeTestImage } from './helpers/cli.ts';
import { expectSame, jobsLeftIn, pixels, queueOfWorkers } from './helpers/farmFiles.ts';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { startWorker, stopWorker, type TestWorker } from './helpers/farmWorkers.ts';

let dir: string;
let redis: TestRedis;
let workers: TestWorker[] = [];
// 192x160 at 128 px tiles: four tiles a step, two steps a frame, four frames.
const ZOOM = ['--frames', '4', '--steps', '2', '--tile', '128', '--layers', 'mixed3', '--zoom', '1.08', '--backend', 'wasm'];
const local = new Map<string, Map<string, Buffer>>();
const frameFiles = (m: Map<string, Buffer>): Map<string, Buffer> => new Map([...m].filter(([name]) => name.includes('frame_')));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-farm-zoom-'));
  await writeTestImage(join(dir, 'a.png'), 192, 160);
  await writeTestImage(join(dir, 'b.png'), 176, 160);
  redis = await startRedis();
  workers = [0, 1].map(() => startWorker(redis.url, ['--lock-ms', '12000']));
  for (const name of ['a', 'b']) {
    const r = await runCli(['zoom', join(dir, `${name}.png`), '-o', join(dir, `local-${name}`), ...ZOOM]);
    expect(r.code, r.stderr).toBe(0);
    local.set(name, frameFiles(await pixels(join(dir, `local-${name}`))));
  }
  await Promise.all(workers.map((w) => w.waitFor((e) => e.type === 'ready')));
}, 300_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w)));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const tileJobs = (): number => workers.reduce((n, w) => n + w.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length, 0);

describe('reverie zoom --farm', () => {
  it('two zooms at once spread over both workers, each frame equal to the local render', async () => {
    const before = tileJobs();
    const [a, b] = await Promise.all(['a', 'b'].map((name) => runCli(['zoom', join(dir, `${name}.png`), '-o', join(dir, `farm-${name}`), ...ZOOM, '--farm', redis.url, '--json'])));
    expect(a!.code, a!.stderr).toBe(0);
    expect(b!.code, b!.stderr).toBe(0);
    expect(a!.stdout).toMatch(/"type":"farm".*2 worker\(s\) online/);
    for (const name of ['a', 'b']) expectSame(frameFiles(await pixels(join(dir, `farm-${name}`))), local.get(name)!, 4);
    // Four frames of two steps of four tiles, for each zoom (a retried tile would only add to it).
    expect(tileJobs() - before).toBeGreaterThanOrEqual(2 * 4 * 2 * 4);
    expect(workers.every((w) => w.events.some((e) => e.type === 'job-completed' && e.kind === 'dream-tile'))).toBe(true);
    expect(await jobsLeftIn(queueOfWorkers(workers[0]!, redis.url))).toBe(0);
  });

  it('reverie resume --farm after the submitter was SIGKILLed mid-frame completes the zoom, identical to local', async () => {
    const out = join(dir, 'killed');
    const child = spawnCli(['zoom', join(dir, 'a.png'), '-o', out, ...ZOOM, '--farm', redis.url, '--json']);
    const exited = new Promise((ok) => child.once('exit', ok));
    // Killed once frame 0 is on disk and the next frame's tiles are in the workers' hands.
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('"type":"frame"')) resolve();
    }));
    const seen = workers.map((w) => w.events.length);
    await Promise.race(workers.map((w, i) => w.waitFor((e) => e.type === 'job-active' && w.events.indexOf(e) >= seen[i]!, 60_000)));
    child.kill('SIGKILL');
    await exited;
    const r = await runCli(['resume', out, '--farm', redis.url, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"type":"done".*"frames":4/);
    expectSame(frameFiles(await pixels(out)), local.get('a')!, 4);
    // The step the killed run left in Redis was taken up and removed: nothing is left behind.
    expect(await jobsLeftIn(queueOfWorkers(workers[0]!, redis.url))).toBe(0);
  });

  it('reverie session dream --farm makes the round\'s frames the local session makes', async () => {
    const flags = ['--steps', '2', '--tile', '128', '--layers', 'mixed3', '--zoom', '1.08'];
    for (const where of ['local', 'farm']) {
      const session = join(dir, `session-${where}`);
      const made = await runCli(['session', 'new', session, '--from', join(dir, 'b.png'), ...flags, '--backend', 'wasm']);
      expect(made.code, made.stderr).toBe(0);
      const dreamt = await runCli(['session', 'dream', session, '--frames', '2', '--backend', 'wasm', '--json', ...(where === 'farm' ? ['--farm', redis.url] : [])]);
      expect(dreamt.code, dreamt.stderr).toBe(0);
      if (where === 'farm') expect(dreamt.stdout).toMatch(/"type":"farm".*steps go to the farm/);
    }
    expectSame(frameFiles(await pixels(join(dir, 'session-farm'))), frameFiles(await pixels(join(dir, 'session-local'))), 2);
  });

  it('the farm saved in Settings is the CLI\'s default; --farm none runs here', async () => {
    const config = join(dir, 'config');
    await mkdir(config, { recursive: true });
    await writeFile(join(config, 'settings.json'), JSON.stringify({ version: 1, farmUrl: redis.url }));
    const env = { REVERIE_CONFIG_DIR: config, REVERIE_FARM: undefined };
    const args = ['dream', join(dir, 'a.png'), '--steps', '1', '--octaves', '1', '--tile', '128', '--layers', 'mixed3', '--backend', 'wasm', '--json'];
    const onFarm = await runCli([...args, '-o', join(dir, 'saved-farm.png')], 300_000, env);
    expect(onFarm.code, onFarm.stderr).toBe(0);
    expect(onFarm.stdout).toMatch(/"type":"farm".*Tiles of each step go to the farm/);
    const here = await runCli([...args, '-o', join(dir, 'saved-local.png'), '--farm', 'none'], 300_000, env);
    expect(here.code, here.stderr).toBe(0);
    expect(here.stdout).not.toMatch(/"type":"farm"/);
    expect((await sharp(join(dir, 'saved-farm.png')).raw().toBuffer()).equals(await sharp(join(dir, 'saved-local.png')).raw().toBuffer())).toBe(true);
  });

  it('refuses a farm URL off this machine without a password before making the project', async () => {
    const r = await runCli(['zoom', join(dir, 'a.png'), '-o', join(dir, 'refused'), ...ZOOM, '--farm', 'redis://10.1.2.3:6379']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no password/);
    const made = await pixels(join(dir, 'refused')).catch(() => null);
    expect(made).toBeNull();
  });
});
