// Zoom projects through the host service, with the real engine in a worker thread, the real model
// at 96 px and real ffmpeg: create, preview, render with frames as they land, export and probe,
// cancel and resume, persistence in the gallery, and requests refused before anything is queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ZoomItem, ZoomSettings } from '../contract/projects.ts';
import type { InputImage, Recipe } from '../contract/types.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { probeVideo } from '../engine/video/probe.ts';
import type { Service } from '../host/service.ts';
import { writeTestImage } from './helpers/cli.ts';
import { recordEvents, tempDir, testService } from './appHelpers.ts';

const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], steps: 1, octaves: 1, seed: 3 };
const settings: ZoomSettings = { frames: 4, tween: 0, zoom: 1.1, rotate: 3, centerX: 0.3, centerY: 0.6, blend: 0.2, anchorColors: 0.5, keyframes: { version: 1, interpolation: 'linear', keys: [{ frame: 2, zoom: 1.2 }] } };
let dataDir: string;
let service: Service;
let log: ReturnType<typeof recordEvents>;
let input: InputImage;
let project: ZoomItem;

const fileOf = (url: string): string => join(dataDir, url.replace(/^\/files\//, '').replace(/\?.*$/, ''));
const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

beforeAll(async () => {
  dataDir = await tempDir('zoom-app');
  service = testService(dataDir);
  log = recordEvents(service);
  const png = join(dataDir, 'picture.png');
  await writeTestImage(png, 120, 96);
  input = await service.handlers['image.import']({ name: 'picture.png', data: await readFile(png) });
});
afterAll(async () => service.close());

describe('zoom projects', () => {
  it('creates a project with the input scaled and no frames, listed in the gallery', async () => {
    project = await service.handlers['zoom.create']({ inputId: input.id, recipe, settings, maxSide: 96 });
    expect(project).toMatchObject({ kind: 'zoom', status: 'new', width: 96, height: 77, frameUrls: [], exports: [], input: { id: input.id, name: 'picture.png' }, maxSide: 96 });
    expect(project.settings).toEqual(settings);
    expect(await exists(fileOf(project.thumbUrl))).toBe(true);
    expect(await exists(fileOf(project.sourceUrl))).toBe(true);
    expect((await service.handlers['gallery.list']({})).map((e) => e.id)).toContain(project.id);
    expect(await service.handlers['gallery.get']({ id: project.id })).toEqual(project);
  });

  it('previews a few frames in a scratch folder that is not kept', async () => {
    const ticket = await service.handlers['zoom.preview']({ inputId: input.id, recipe, settings: { ...settings, frames: 3 }, maxSide: 64 });
    const end = await log.finished(ticket.jobId);
    expect(end).toMatchObject({ state: 'done', kind: 'zoom-preview', item: null });
    if (end.state !== 'done') throw new Error('unreachable');
    expect(end.frames).toHaveLength(3);
    for (const url of end.frames!) expect(await exists(fileOf(url))).toBe(true);
    expect((await service.handlers['gallery.list']({})).length).toBe(1);
    await expect(service.handlers['zoom.preview']({ inputId: input.id, recipe, settings: { ...settings, frames: 30 }, maxSide: 64 })).rejects.toMatchObject({ name: 'BadRequestError' });
  });

  it('renders frames one by one with progress, then the project is complete', async () => {
    const ticket = await service.handlers['zoom.run']({ id: project.id });
    expect(await service.handlers['gallery.get']({ id: project.id })).toMatchObject({ jobId: ticket.jobId });
    await expect(service.handlers['zoom.run']({ id: project.id })).rejects.toMatchObject({ name: 'BusyError' });
    await expect(service.handlers['gallery.delete']({ id: project.id })).rejects.toMatchObject({ name: 'BusyError' });
    const end = await log.finished(ticket.jobId);
    expect(end.state).toBe('done');
    const progress = log.progress(ticket.jobId);
    const frames = progress.flatMap((p) => (p.frame ? [p.frame] : []));
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(progress.at(-1)).toMatchObject({ done: 1000, total: 1000, label: 'frame 4/4 · step 1/1' });
    expect(progress.some((p) => p.etaMs !== null && p.etaMs > 0)).toBe(true);
    if (end.state !== 'done' || end.item?.kind !== 'zoom') throw new Error('unreachable');
    project = end.item;
    expect(project).toMatchObject({ status: 'complete', jobId: null });
    expect(project.frameUrls).toEqual(frames.map((f) => f.url));
    for (const url of project.frameUrls) expect(await exists(fileOf(url))).toBe(true);
  });

  it('exports an mp4 that ffprobe accepts with every frame, kept beside the project', async () => {
    const ticket = await service.handlers['video.export']({ id: project.id, format: 'mp4', fps: 8, quality: 23, size: null });
    const end = await log.finished(ticket.jobId);
    if (end.state !== 'done') throw new Error(`export ended ${end.state}: ${JSON.stringify(end)}`);
    expect(end.video).toMatchObject({ format: 'mp4', frames: 4, width: 96, height: 78 });
    const probe = await probeVideo(fileOf(end.video!.url));
    expect(probe).toMatchObject({ frames: 4, codec: 'h264', pixFmt: 'yuv420p' });
    expect(probe.durationS).toBeCloseTo(0.5, 1);
    expect(log.progress(ticket.jobId).at(-1)?.label).toMatch(/^encoding frame \d\/4$/);
    project = end.item as ZoomItem;
    expect(project.exports).toEqual([end.video]);
    expect(await service.handlers['video.save']({ id: project.id, file: end.video!.file })).toMatchObject({ kind: 'download', url: `${end.video!.url}?download=${end.video!.file}` });
    await expect(service.handlers['video.save']({ id: project.id, file: '../../secret.mp4' })).rejects.toMatchObject({ name: 'BadRequestError' });
    await expect(service.handlers['video.save']({ id: project.id, file: 'zoom-other.mp4' })).rejects.toMatchObject({ name: 'BadRequestError' });
  });

  it('cancels a render between frames and resumes it to the end', async () => {
    const long = await service.handlers['zoom.create']({ inputId: input.id, recipe, settings: { ...settings, frames: 6, keyframes: null }, maxSide: 96 });
    const ticket = await service.handlers['zoom.run']({ id: long.id });
    await new Promise<void>((resolve) => {
      const stop = service.subscribe((e) => e.channel === 'job.progress' && e.payload.jobId === ticket.jobId && e.payload.frame && (stop(), resolve()));
    });
    await service.handlers['job.cancel']({ jobId: ticket.jobId });
    expect((await log.finished(ticket.jobId)).state).toBe('cancelled');
    const cancelled = (await service.handlers['gallery.get']({ id: long.id })) as ZoomItem;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.frameUrls.length).toBeGreaterThanOrEqual(1);
    expect(cancelled.frameUrls.length).toBeLessThan(6);

    await expect(service.handlers['zoom.resume']({ id: long.id, frames: 0 })).rejects.toMatchObject({ name: 'BadRequestError' });
    const resumed = await service.handlers['zoom.resume']({ id: long.id, frames: 7 });
    const end = await log.finished(resumed.jobId);
    if (end.state !== 'done' || end.item?.kind !== 'zoom') throw new Error('unreachable');
    expect(end.item).toMatchObject({ status: 'complete', settings: { frames: 7 } });
    expect(end.item.frameUrls.slice(0, cancelled.frameUrls.length)).toEqual(cancelled.frameUrls);
    expect(end.item.frameUrls).toHaveLength(7);
  });

  it('refuses bad settings, video options and ids before queueing anything', async () => {
    const bad = (s: Partial<ZoomSettings> & Record<string, unknown>) => service.handlers['zoom.create']({ inputId: input.id, recipe, settings: { ...settings, ...s } as ZoomSettings, maxSide: 96 });
    await expect(bad({ zoom: 0 })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringContaining('"zoom" must be between 0.1 and 10') });
    await expect(bad({ frames: 0 })).rejects.toMatchObject({ name: 'BadRequestError' });
    await expect(bad({ speed: 2 })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringContaining('"speed"') });
    await expect(bad({ keyframes: { keys: [{ frame: 3 }, { frame: 1 }] } as never })).rejects.toMatchObject({ name: 'KeyframeError' });
    // A key switching to a layer the model lacks: refused with the model's layers named, nothing written.
    const zoomDirs = async () => (await readdir(join(dataDir, 'zoom'))).sort();
    const [galleryBefore, dirsBefore] = [await service.handlers['gallery.list']({}), await zoomDirs()];
    const unknownSwitch = { version: 1 as const, interpolation: 'linear' as const, keys: [{ frame: 1, layers: [{ name: 'mixed4', weight: 1 }], channels: [] }, { frame: 2, layers: [{ name: 'block_6_expand_relu', weight: 1 }], channels: [] }] };
    const layerMessage = /^keyframes: the key at frame 2 switches to "block_6_expand_relu", which is not a layer of inception_v3; pick one of .*mixed4.*\.$/;
    await expect(bad({ keyframes: unknownSwitch })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringMatching(layerMessage) });
    await expect(service.handlers['zoom.preview']({ inputId: input.id, recipe, settings: { ...settings, frames: 3, keyframes: unknownSwitch }, maxSide: 64 })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringMatching(layerMessage) });
    expect(await service.handlers['gallery.list']({})).toEqual(galleryBefore);
    expect(await zoomDirs()).toEqual(dirsBefore);
    await expect(service.handlers['video.export']({ id: project.id, format: 'gif', fps: 10, quality: 20, size: null })).rejects.toMatchObject({ name: 'VideoOptionsError' });
    await expect(service.handlers['video.export']({ id: project.id, format: 'mp4', fps: 10, quality: null, size: { width: 99, height: 80 } })).rejects.toMatchObject({ name: 'VideoOptionsError', message: expect.stringContaining('even') });
    await expect(service.handlers['video.export']({ id: project.id, format: 'avi' as 'mp4', fps: 10, quality: null, size: null })).rejects.toMatchObject({ name: 'BadRequestError' });
    await expect(service.handlers['zoom.run']({ id: '../x' })).rejects.toMatchObject({ name: 'BadRequestError' });
    await expect(service.handlers['zoom.run']({ id: 'ffffff' })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await service.handlers['job.list']({})).toEqual([]);
  });

  it('keeps projects across a restart (an interrupted render reads as cancelled) and deletes them', async () => {
    const other = (await service.handlers['gallery.list']({})).find((e) => e.kind === 'zoom' && e.id !== project.id)!;
    const manifest = join(dataDir, 'zoom', other.id, 'project', 'manifest.json');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('"status": "complete"', '"status": "running"'));
    const restarted = testService(dataDir);
    try {
      const list = await restarted.handlers['gallery.list']({});
      expect(list.filter((e) => e.kind === 'zoom')).toHaveLength(2);
      expect(list.find((e) => e.id === project.id)).toEqual(project);
      expect(list.find((e) => e.id === other.id)).toMatchObject({ status: 'cancelled' });
      expect(await restarted.handlers['gallery.delete']({ id: project.id })).toEqual({ deleted: true });
      expect(await exists(join(dataDir, 'zoom', project.id))).toBe(false);
      expect(await restarted.handlers['gallery.delete']({ id: project.id })).toEqual({ deleted: false });
      await expect(restarted.handlers['gallery.get']({ id: project.id })).rejects.toMatchObject({ name: 'NotFoundError' });
    } finally {
      await restarted.close();
    }
  });
});
