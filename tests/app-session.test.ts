// Painting ping-pong through the host service, with the real engine, model and ffmpeg at 96 px:
// a session from a flattened painting, rounds dreamed as jobs, picks, a second painting, the
// session video with crossfades (frame count probed), and edits refused while a round dreams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RoundSettings, SessionItem, SessionVideoRequest } from '../contract/projects.ts';
import type { Recipe } from '../contract/types.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { probeVideo } from '../engine/video/probe.ts';
import type { Service } from '../host/service.ts';
import { recordEvents, tempDir, testService } from './appHelpers.ts';

const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], steps: 1, octaves: 1 };
const settings: RoundSettings = { tween: 0, zoom: 1.1, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null };
let dataDir: string;
let service: Service;
let log: ReturnType<typeof recordEvents>;
let session: SessionItem;

const fileOf = (url: string): string => join(dataDir, url.replace(/^\/files\//, '').replace(/\?.*$/, ''));
const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);
const painting = async (colour: string) => ({ name: 'painting.png', data: new Uint8Array(await sharp({ create: { width: 96, height: 80, channels: 4, background: colour } }).png().toBuffer()) });

async function dream(frames: number): Promise<SessionItem> {
  const ticket = await service.handlers['session.dream']({ id: session.id, frames });
  const end = await log.finished(ticket.jobId);
  if (end.state !== 'done' || end.item?.kind !== 'session') throw new Error(`the round ended ${JSON.stringify(end)}`);
  return end.item;
}

beforeAll(async () => {
  dataDir = await tempDir('session-app');
  service = testService(dataDir);
  log = recordEvents(service);
});
afterAll(async () => service.close());

describe('ping-pong sessions', () => {
  it('starts from a painting, dreams a round frame by frame, and picks a frame', async () => {
    session = await service.handlers['session.new']({ painting: await painting('#d04a30'), recipe, settings });
    expect(session).toMatchObject({ kind: 'session', width: 96, height: 80, exports: [], settings, rounds: [{ number: 1, frameUrls: [], picked: null }] });
    expect(await exists(fileOf(session.rounds[0]!.paintingUrl))).toBe(true);
    expect(await exists(fileOf(session.thumbUrl))).toBe(true);
    await expect(service.handlers['session.pick']({ id: session.id, round: 1, frame: 0 })).rejects.toMatchObject({ name: 'ProjectError', message: expect.stringContaining('no dream frames yet') });

    const ticket = await service.handlers['session.dream']({ id: session.id, frames: 3 });
    await expect(service.handlers['session.add']({ id: session.id, painting: await painting('#000000') })).rejects.toMatchObject({ name: 'BusyError' });
    const end = await log.finished(ticket.jobId);
    if (end.state !== 'done' || end.item?.kind !== 'session') throw new Error('unreachable');
    session = end.item;
    const frames = log.progress(ticket.jobId).flatMap((p) => (p.frame ? [p.frame.url] : []));
    expect(session.rounds[0]!.frameUrls).toEqual(frames);
    expect(frames).toHaveLength(3);
    expect(log.progress(ticket.jobId).at(-1)?.label).toBe('round 1 · frame 3/3 · step 1/1');

    session = await service.handlers['session.pick']({ id: session.id, round: 1, frame: 1 });
    expect(session.rounds[0]!.picked).toBe(1);
  });

  it('adds the next painting as round 2, dreams it, and compiles the session video with crossfades', async () => {
    session = await service.handlers['session.add']({ id: session.id, painting: await painting('#2050c0') });
    expect(session.rounds.map((r) => r.number)).toEqual([1, 2]);
    session = await dream(1);
    expect(session.rounds[1]!.frameUrls).toHaveLength(1);

    const ticket = await service.handlers['session.video']({ id: session.id, format: 'mp4', fps: 10, quality: null, size: null, crossfade: 2, hold: 1, allFrames: false });
    const end = await log.finished(ticket.jobId);
    if (end.state !== 'done') throw new Error(`video ended ${JSON.stringify(end)}`);
    // painting, frames 0-1 (picked 1), painting, frame 0; three cuts of two blended frames each.
    const expected = 1 + 2 + 1 + 1 + 3 * 2;
    expect(end.video).toMatchObject({ format: 'mp4', frames: expected, width: 96, height: 80 });
    expect((await probeVideo(fileOf(end.video!.url))).frames).toBe(expected);
    session = end.item as SessionItem;
    expect(session.exports).toEqual([end.video]);

    // A width alone: the height follows the 96x80 paintings (53.3 → 54, even), encoded at that size.
    const scaled = await service.handlers['session.video']({ id: session.id, format: 'mp4', fps: 10, quality: null, size: { width: 64, height: null }, crossfade: 2, hold: 1, allFrames: false });
    const scaledEnd = await log.finished(scaled.jobId);
    if (scaledEnd.state !== 'done') throw new Error(`video ended ${JSON.stringify(scaledEnd)}`);
    expect(scaledEnd.video).toMatchObject({ format: 'mp4', frames: expected, width: 64, height: 54 });
    expect(await probeVideo(fileOf(scaledEnd.video!.url))).toMatchObject({ frames: expected, width: 64, height: 54, codec: 'h264' });
    session = scaledEnd.item as SessionItem;
    expect(session.exports).toHaveLength(2);
  });

  it('a mask painted in Paint: kept in the session, each round dreams only where it is white', async () => {
    const half = Buffer.alloc(96 * 80);
    for (let y = 0; y < 80; y++) for (let x = 0; x < 48; x++) half[y * 96 + x] = 255;
    const mask = await service.handlers['image.import']({ name: 'mask.png', data: new Uint8Array(await sharp(half, { raw: { width: 96, height: 80, channels: 1 } }).png().toBuffer()) });
    const masked = await service.handlers['session.new']({ painting: await painting('#3060c0'), recipe, settings, maskInputId: mask.id });
    expect(masked.recipe.mask).toMatch(/^sha256:[0-9a-f]{64}$/);
    const hex = masked.recipe.mask!.slice('sha256:'.length);
    expect(await exists(join(dataDir, 'sessions', masked.id, 'session', 'assets', `mask-${hex}.png`))).toBe(true);
    const ticket = await service.handlers['session.dream']({ id: masked.id, frames: 1 });
    const end = await log.finished(ticket.jobId);
    if (end.state !== 'done' || end.item?.kind !== 'session') throw new Error(`the round ended ${JSON.stringify(end)}`);
    const frame = await sharp(fileOf(end.item.rounds[0]!.frameUrls[0]!)).removeAlpha().raw().toBuffer();
    let [keptMax, dreamed] = [0, 0];
    const colour = [0x30, 0x60, 0xc0];
    for (let y = 0; y < 80; y++) {
      for (let x = 0; x < 96; x++) {
        for (let k = 0; k < 3; k++) {
          const d = Math.abs(frame[(y * 96 + x) * 3 + k]! - colour[k]!);
          if (x >= 56) keptMax = Math.max(keptMax, d);
          else if (x < 40) dreamed += d;
        }
      }
    }
    expect(keptMax).toBeLessThanOrEqual(1); // the zoomed painting, a flat colour: unchanged where black
    expect(dreamed / (40 * 80 * 3)).toBeGreaterThan(0.5);
    await expect(service.handlers['session.new']({ painting: await painting('#3060c0'), recipe, settings, maskInputId: 'nope' })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await service.handlers['gallery.delete']({ id: masked.id })).toEqual({ deleted: true }); // the other tests count sessions
  });

  it('refuses a session video size the encoder cannot make before queueing anything, in the encoder\'s words', async () => {
    const video = { id: session.id, format: 'mp4', fps: 10, quality: null, crossfade: 0, hold: 1, allFrames: false } as const;
    const refused: Array<[SessionVideoRequest['size'], RegExp]> = [
      [{ width: 8, height: null }, /^Video width 8 must be a whole number from 16 to 8192\.$/],
      [{ width: 65, height: null }, /needs an even width; 65 is odd/],
      [{ width: 9000, height: 9000 }, /width 9000 must be a whole number from 16 to 8192/],
      [{ width: 16, height: null }, /^A width of 16 makes the height 14 for 96x80 frames; it must be from 16 to 8192\./],
      [{ width: null, height: null }, /a width, a height, or both/],
    ];
    for (const [size, message] of refused) {
      await expect(service.handlers['session.video']({ ...video, size }), JSON.stringify(size)).rejects.toMatchObject({ name: 'VideoOptionsError', message: expect.stringMatching(message) });
    }
    await expect(service.handlers['session.video']({ ...video, size: { width: '64' } } as never)).rejects.toMatchObject({ name: 'BadRequestError' });
    expect(await service.handlers['gallery.get']({ id: session.id })).toEqual(session);
  });

  it('refuses what cannot be a painting or a session step, keeping the session as it was', async () => {
    await expect(service.handlers['session.new']({ painting: { name: 'notes.txt', data: new TextEncoder().encode('words') }, recipe, settings })).rejects.toMatchObject({ name: 'UnsupportedImageError' });
    await expect(service.handlers['session.pick']({ id: session.id, round: 3, frame: 0 })).rejects.toMatchObject({ name: 'ProjectError', message: expect.stringContaining('no round 3') });
    await expect(service.handlers['session.dream']({ id: session.id, frames: 0 })).rejects.toMatchObject({ name: 'BadRequestError' });
    expect(await service.handlers['gallery.get']({ id: session.id })).toEqual(session);
    const list = await service.handlers['gallery.list']({});
    expect(list.map((e) => e.kind)).toEqual(['session']);
    expect(await service.handlers['gallery.delete']({ id: session.id })).toEqual({ deleted: true });
    expect(await exists(join(dataDir, 'sessions', session.id))).toBe(false);
  });

  it('refuses a painting too small for the recipe, in new and add, with the size it needs', async () => {
    const tiny = { name: 'tiny.png', data: new Uint8Array(await sharp({ create: { width: 20, height: 20, channels: 3, background: '#336699' } }).png().toBuffer()) };
    const tooSmall = { name: 'ImageTooSmallError', message: expect.stringMatching(/^tiny\.png is 20x20; .* needs at least \d+x\d+ pixels\.$/) };
    await expect(service.handlers['session.new']({ painting: tiny, recipe, settings })).rejects.toMatchObject(tooSmall);
    const fresh = await service.handlers['session.new']({ painting: await painting('#123456'), recipe, settings });
    await expect(service.handlers['session.add']({ id: fresh.id, painting: tiny })).rejects.toMatchObject(tooSmall);
  });
});
