// The app's zooms and ping-pong rounds on a render farm, through the host service with the real
// engine thread, a real redis-server on loopback and two real `reverie worker` processes: a zoom
// sent to the farm (the Farm setting saved) shows "2 workers", its manifest says each frame ran on
// the farm, and its frames equal the same zoom rendered here, pixel for pixel; a farm render
// cancelled mid-run (its steps claimed in the project's name) resumes on the farm to the same frames; a session round on the farm equals the
// local round. Redis holds no job afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import type { RoundSettings, SessionItem, ZoomItem, ZoomSettings } from '../contract/projects.ts';
import type { InputImage, JobProgress, Recipe } from '../contract/types.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { readDreamMetadata } from '../engine/render/metadata.ts';
import type { Service } from '../host/service.ts';
import { recordEvents, tempDir, testService } from './appHelpers.ts';
import { writeTestImage } from './helpers/cli.ts';
import { jobsLeftIn, queueOfWorkers } from './helpers/farmFiles.ts';
import { startWorker, stopWorker, type TestWorker } from './helpers/farmWorkers.ts';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { projectClaimant } from '../host/farm/claimant.ts';

// 192x160 at 128 px tiles: four tiles a step, two steps a frame.
const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps: 2, octaves: 1, tileSize: 128, seed: 5 };
const round: RoundSettings = { tween: 0, zoom: 1.08, rotate: 2, centerX: 0.5, centerY: 0.5, blend: 0.1, anchorColors: 0.3, keyframes: null };
const settings: ZoomSettings = { ...round, frames: 3 };
let dataDir: string;
let service: Service;
let log: ReturnType<typeof recordEvents>;
let redis: TestRedis;
let workers: TestWorker[] = [];
let input: InputImage;
let local: ZoomItem;

const fileOf = (url: string): string => join(dataDir, url.replace(/^\/files\//, '').replace(/\?.*$/, ''));
const framePixels = (urls: string[]): Promise<Buffer[]> => Promise.all(urls.map((u) => sharp(fileOf(u)).raw().toBuffer()));
/** The project folder a file of it lies in: the nearest folder (the file's or one above) holding a manifest. */
function projectDirAbove(url: string): string {
  for (const dir of [dirname(fileOf(url)), dirname(dirname(fileOf(url)))]) if (existsSync(join(dir, 'manifest.json'))) return dir;
  throw new Error(`no manifest beside ${url}`);
}
const tileJobs = (): number => workers.reduce((n, w) => n + w.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length, 0);

/** The manifest of the project a frame belongs to. */
async function manifestOf(frameUrl: string): Promise<{ status: string; frames: Array<{ device?: string }> }> {
  return JSON.parse(await readFile(join(projectDirAbove(frameUrl), 'manifest.json'), 'utf8')) as { status: string; frames: Array<{ device?: string }> };
}

async function finishedZoom(jobId: string): Promise<ZoomItem> {
  const end = await log.finished(jobId);
  if (end.state !== 'done' || end.item?.kind !== 'zoom') throw new Error(`the zoom ended ${JSON.stringify(end)}`);
  return end.item;
}

beforeAll(async () => {
  redis = await startRedis();
  workers = [0, 1].map(() => startWorker(redis.url, ['--lock-ms', '12000']));
  dataDir = await tempDir('farm-app');
  // The Farm setting saved, as Settings → Farm → Save leaves it.
  await mkdir(join(dataDir, 'config'), { recursive: true });
  await writeFile(join(dataDir, 'config', 'settings.json'), JSON.stringify({ version: 1, farmUrl: redis.url }));
  service = testService(dataDir);
  log = recordEvents(service);
  const png = join(dataDir, 'picture.png');
  await writeTestImage(png, 192, 160);
  input = await service.handlers['image.import']({ name: 'picture.png', data: await readFile(png) });
  const project = await service.handlers['zoom.create']({ inputId: input.id, recipe, settings, maxSide: 192 });
  local = await finishedZoom((await service.handlers['zoom.run']({ id: project.id })).jobId);
  await Promise.all(workers.map((w) => w.waitFor((e) => e.type === 'ready')));
}, 600_000);

afterAll(async () => {
  await service?.close();
  await Promise.all(workers.map((w) => stopWorker(w)));
  await redis?.stop();
});

describe('the app on a render farm', () => {
  it('a zoom sent to the farm shows its workers, records the farm per frame and equals the local zoom', async () => {
    expect(local.frameUrls).toHaveLength(3);
    expect((await manifestOf(local.frameUrls[0]!)).frames.every((f) => f.device !== 'farm')).toBe(true);
    const before = tileJobs();
    const project = await service.handlers['zoom.create']({ inputId: input.id, recipe, settings, maxSide: 192 });
    const ticket = await service.handlers['zoom.run']({ id: project.id, farm: true });
    const onFarm = await finishedZoom(ticket.jobId);
    expect(onFarm.status).toBe('complete');
    const progress: JobProgress[] = log.progress(ticket.jobId);
    expect(progress.some((p) => / · 2 workers$/.test(p.label) && p.label.startsWith('frame '))).toBe(true);
    // Per-worker spread, as a dream on the farm reports it: both workers computed tiles of this zoom.
    const spread = progress.at(-1)?.farm;
    expect(spread?.workers).toBe(2);
    expect(spread?.perWorker.filter((w) => w.tiles > 0)).toHaveLength(2);
    // Three frames of two steps of four tiles (a retried tile would only add to it).
    expect(tileJobs() - before).toBeGreaterThanOrEqual(3 * 2 * 4);
    expect((await manifestOf(onFarm.frameUrls[0]!)).frames.map((f) => f.device)).toEqual(['farm', 'farm', 'farm']);
    // Each frame's PNG names the farm too (by its URL), where a local frame names this machine's device.
    const meta = await readDreamMetadata(fileOf(onFarm.frameUrls[1]!));
    expect(meta).toMatchObject({ device: 'farm', deviceLabel: `render farm at ${redis.url}` });
    expect((await readDreamMetadata(fileOf(local.frameUrls[1]!))).device).not.toBe('farm');
    const [farmFrames, localFrames] = await Promise.all([framePixels(onFarm.frameUrls), framePixels(local.frameUrls)]);
    farmFrames.forEach((frame, i) => expect(frame.equals(localFrames[i]!), `frame ${i}`).toBe(true));
    expect(await jobsLeftIn(queueOfWorkers(workers[0]!, redis.url))).toBe(0);
  });

  it('a farm render cancelled mid-run stops, keeps its frames, and resumes on the farm to the local frames', async () => {
    const project = await service.handlers['zoom.create']({ inputId: input.id, recipe, settings, maxSide: 192 });
    const ticket = await service.handlers['zoom.run']({ id: project.id, farm: true });
    // Its steps are claimed in the project's name (so Resume after a killed app takes them over),
    // the name the CLI's resume of the same folder uses.
    const claims = new Redis(redis.url);
    const claimants = async (): Promise<string[]> => (await Promise.all((await claims.keys('reverie:claims:*')).map((k) => claims.zrange(k, 0, -1)))).flat();
    const name = projectClaimant(projectDirAbove(project.sourceUrl));
    try {
      await expect.poll(async () => (await claimants()).some((m) => m.startsWith(`${name}:`)), { timeout: 300_000, interval: 20 }).toBe(true);
    } finally {
      claims.disconnect();
    }
    // Cancelled once the first frame is on disk, while the next frame's tiles are out on the farm.
    await expect.poll(() => log.progress(ticket.jobId).some((p) => p.frame), { timeout: 300_000, interval: 100 }).toBe(true);
    await service.handlers['job.cancel']({ jobId: ticket.jobId });
    expect((await log.finished(ticket.jobId)).state).toBe('cancelled');
    const stopped = await service.handlers['gallery.get']({ id: project.id });
    if (stopped.kind !== 'zoom') throw new Error('unreachable');
    expect(stopped.status).toBe('cancelled');
    expect(stopped.frameUrls.length).toBeGreaterThanOrEqual(1);
    expect(stopped.frameUrls.length).toBeLessThan(3);
    const resumed = await finishedZoom((await service.handlers['zoom.resume']({ id: project.id, farm: true })).jobId);
    const [farmFrames, localFrames] = await Promise.all([framePixels(resumed.frameUrls), framePixels(local.frameUrls)]);
    expect(farmFrames).toHaveLength(3);
    farmFrames.forEach((frame, i) => expect(frame.equals(localFrames[i]!), `frame ${i}`).toBe(true));
    // The cancelled step's jobs were taken off (or finished and read by the resumed run).
    await expect.poll(() => jobsLeftIn(queueOfWorkers(workers[0]!, redis.url)), { timeout: 30_000 }).toBe(0);
  });

  it('a ping-pong round sent to the farm makes the frames the local round makes', async () => {
    const painting = { name: 'painting.png', data: new Uint8Array(await readFile(join(dataDir, 'picture.png'))) };
    const rounds: SessionItem[] = [];
    for (const farm of [false, true]) {
      const session = await service.handlers['session.new']({ painting, recipe, settings: round });
      const before = tileJobs();
      const ticket = await service.handlers['session.dream']({ id: session.id, frames: 2, ...(farm ? { farm: true } : {}) });
      const end = await log.finished(ticket.jobId);
      if (end.state !== 'done' || end.item?.kind !== 'session') throw new Error(`the round ended ${JSON.stringify(end)}`);
      rounds.push(end.item);
      if (farm) {
        expect(tileJobs() - before).toBeGreaterThanOrEqual(2 * 2 * 4);
        expect(log.progress(ticket.jobId).some((p) => /^round 1 · frame .* · 2 workers$/.test(p.label))).toBe(true);
      } else expect(tileJobs()).toBe(before);
    }
    const [here, farm] = await Promise.all(rounds.map((s) => framePixels(s.rounds[0]!.frameUrls)));
    expect(farm).toHaveLength(2);
    farm!.forEach((frame, i) => expect(frame.equals(here![i]!), `frame ${i}`).toBe(true));
  });

  it('refuses the farm when none is saved, before anything is queued', async () => {
    await writeFile(join(dataDir, 'config', 'settings.json'), JSON.stringify({ version: 1 }));
    const project = await service.handlers['zoom.create']({ inputId: input.id, recipe, settings, maxSide: 192 });
    await expect(service.handlers['zoom.run']({ id: project.id, farm: true })).rejects.toThrow(/No farm is set/);
    expect(await access(fileOf(project.thumbUrl)).then(() => true)).toBe(true);
    expect((await service.handlers['job.list']({})).filter((j) => j.state === 'queued' || j.state === 'running')).toHaveLength(0);
  });
});
