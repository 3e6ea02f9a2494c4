// The Inspect panel's host side with the real engine in a worker and the real model at draft
// quality: a page of channel pictures (announced as they land, then found in the engine's disk
// cache), a channel's large view with its strongest neighbours, an image probe, and refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { InputImage } from '../contract/types.ts';
import type { Service } from '../host/service.ts';
import { writeTestImage } from './helpers/cli.ts';
import { recordEvents, tempDir, testService } from './appHelpers.ts';

let dataDir: string;
let service: Service;
let log: ReturnType<typeof recordEvents>;
const fileOf = (url: string): string => join(dataDir, url.replace(/^\/files\//, '').replace(/\?.*$/, ''));
const size = async (url: string) => sharp(fileOf(url)).metadata().then((m) => [m.width, m.height]);

beforeAll(async () => {
  dataDir = await tempDir('inspect-app');
  service = testService(dataDir);
  log = recordEvents(service);
});
afterAll(async () => service.close());

describe('inspect', () => {
  it('renders a page of channels as they land, then finds them in the cache', async () => {
    const page = { layer: 'mixed3', channels: [4, 9], quality: 'draft' as const };
    expect(await service.handlers['inspect.cached'](page)).toEqual([]);
    const ticket = await service.handlers['inspect.render'](page);
    const end = await log.finished(ticket.jobId);
    if (end.state !== 'done') throw new Error(`the grid ended ${JSON.stringify(end)}`);
    const landed = log.progress(ticket.jobId).flatMap((p) => (p.frame ? [[p.frame.index, p.frame.url]] : []));
    expect(landed.map(([channel]) => channel)).toEqual([4, 9]);
    expect(end.frames).toEqual(landed.map(([, url]) => url));
    for (const url of end.frames!) expect(await size(url)).toEqual([64, 64]);
    expect(log.progress(ticket.jobId).some((p) => p.preview?.startsWith('data:image/jpeg;base64,'))).toBe(true);
    // Every picture of the batch grows in place: the tiles ride on the progress as JPEGs by channel.
    expect(log.progress(ticket.jobId).some((p) => (p.tiles?.length ?? 0) > 1 && p.tiles!.every((t) => t.preview.startsWith('data:image/jpeg;base64,')))).toBe(true);
    const cached = await service.handlers['inspect.cached']({ ...page, channels: [9, 4, 5] });
    expect(cached.map((c) => c.channel).sort()).toEqual([4, 9]);
    expect(cached.find((c) => c.channel === 4)?.url).toBe(landed[0]![1]);
  });

  it("shows one channel large, with the channels its picture drives hardest", async () => {
    const ticket = await service.handlers['inspect.channel']({ layer: 'mixed3', channel: 4, quality: 'draft' });
    const end = await log.finished(ticket.jobId);
    if (end.state !== 'done') throw new Error(`the view ended ${JSON.stringify(end)}`);
    expect(await size(end.frames![0]!)).toEqual([128, 128]);
    const neighbours = end.inspect!.neighbours!;
    expect(neighbours).toHaveLength(6);
    expect(neighbours.map((n) => n.channel)).not.toContain(4);
    expect(neighbours.map((n) => n.mean)).toEqual([...neighbours.map((n) => n.mean)].sort((a, b) => b - a));
  });

  it('probes an image: its strongest channels, each map a picture the size the model saw', async () => {
    const png = join(dataDir, 'picture.png');
    await writeTestImage(png, 160, 120);
    const input: InputImage = await service.handlers['image.import']({ name: 'picture.png', data: await readFile(png) });
    const ticket = await service.handlers['inspect.image']({ inputId: input.id, layer: 'mixed2', top: 3 });
    const end = await log.finished(ticket.jobId);
    if (end.state !== 'done') throw new Error(`the probe ended ${JSON.stringify(end)}`);
    const top = end.inspect!.top!;
    expect(top).toHaveLength(3);
    expect(top[0]!.mean).toBeGreaterThanOrEqual(top[2]!.mean);
    for (const t of top) expect(await size(t.mapUrl)).toEqual([160, 120]);
  });

  it('refuses unknown layers, channels out of range and unknown qualities before queueing', async () => {
    await expect(service.handlers['inspect.render']({ layer: 'mixed33', channels: [0], quality: 'draft' })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringContaining('mixed33') });
    await expect(service.handlers['inspect.render']({ layer: 'mixed3', channels: [768], quality: 'draft' })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringContaining('0 to 767') });
    await expect(service.handlers['inspect.render']({ layer: 'mixed3', channels: [], quality: 'draft' })).rejects.toMatchObject({ name: 'BadRequestError' });
    await expect(service.handlers['inspect.channel']({ layer: 'mixed3', channel: 1, quality: 'ultra' as 'draft' })).rejects.toMatchObject({ name: 'BadRequestError' });
    expect(await service.handlers['job.list']({})).toEqual([]);
  });
});
