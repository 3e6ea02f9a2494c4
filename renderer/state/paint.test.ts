// The Paint panel's state against a scripted host: strokes with undo/redo and the eyedropper, what
// lies under the canvas, and the ping-pong loop (new session, dream, pick, paint, new round), the
// session video, and sessions reopened from the gallery.
import { describe, expect, it } from 'vitest';
import type { SessionItem, SessionRoundInfo } from '../../contract/projects.ts';
import type { FileBytes } from '../../contract/types.ts';
import { BrushState } from './brush.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { PaintState } from './paint.svelte.ts';
import { testHost, type Script } from './testHost.ts';
import { ZOOM_RECIPE } from './zoom.svelte.ts';

const round = (n: number, frames: number, picked: number | null = null): SessionRoundInfo => ({
  number: n, paintingUrl: `/files/sessions/s1/session/rounds/0${n}/painting.png`, picked,
  frameUrls: Array.from({ length: frames }, (_, i) => `/files/sessions/s1/session/rounds/0${n}/dream/frame_0000${i}.png`),
});
const session = (...rounds: SessionRoundInfo[]): SessionItem => ({
  id: 's1', kind: 'session', createdAt: 'x', updatedAt: 'x', recipe: ZOOM_RECIPE, settings: { tween: 0, zoom: 1.1, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0.3, keyframes: null },
  width: 128, height: 96, rounds, thumbUrl: '/t', exports: [], jobId: null,
});
const painting: FileBytes = { name: 'painting.png', data: new Uint8Array([137, 80, 78, 71]) };

function setup(script: Script = {}, farmUrl: string | null = null) {
  let current = session(round(1, 0));
  const host = testHost({
    'session.new': () => current,
    'session.dream': () => ({ jobId: 'round', position: 0 }),
    'session.pick': ({ round: r, frame }) => (current = session(...current.rounds.map((x) => (x.number === r ? { ...x, picked: frame } : x)))),
    'session.add': () => (current = session(...current.rounds, round(current.rounds.length + 1, 0))),
    'session.video': () => ({ jobId: 'video', position: 0 }),
    'job.cancel': () => ({ cancelled: true }),
    ...script,
  });
  const notices = new Notices({ set: () => undefined });
  const paint = new PaintState({ api: host.api, notices, picker: { pick: async () => null }, download: () => undefined, channelCounts: () => new Map(), farmUrl: () => farmUrl });
  const detach = paint.attach(async () => painting);
  const calls = (channel: string) => host.calls.filter((c) => c.channel === channel).map((c) => c.request);
  return { host, paint, notices, detach, calls, finishRound: (frames: number) => paint.onEvent({ jobId: 'round', kind: 'session-dream', state: 'done', item: (current = session(...current.rounds.slice(0, -1), round(current.rounds.length, frames))) }) };
}

describe('BrushState', () => {
  it('records strokes, undoes and redoes them, and a new stroke drops the redo list', () => {
    const brush = new BrushState();
    brush.begin({ x: 1, y: 1 });
    brush.extend({ x: 5, y: 1 });
    brush.end();
    brush.colour = '#0000ff';
    brush.tool = 'eraser';
    brush.begin({ x: 2, y: 2 });
    brush.end();
    expect(brush.strokes.map((s) => [s.tool, s.points.length])).toEqual([['brush', 2], ['eraser', 1]]);
    brush.undo();
    brush.undo();
    brush.undo();
    expect(brush.strokes).toEqual([]);
    brush.redo();
    expect(brush.strokes.map((s) => s.tool)).toEqual(['brush']);
    brush.tool = 'brush';
    brush.begin({ x: 3, y: 3 });
    brush.end();
    expect(brush.undone).toEqual([]);
    brush.clear();
    expect(brush.strokes).toEqual([]);
    brush.redo();
    brush.redo();
    expect(brush.strokes.map((s) => s.points[0]!.x)).toEqual([1, 3]);
  });

  it('picks colours with the eyedropper (no stroke) and bounds size and opacity', () => {
    const brush = new BrushState();
    brush.tool = 'eyedropper';
    brush.begin({ x: 1, y: 1 });
    expect(brush.live).toBeNull();
    brush.pickColour('#123456');
    expect([brush.tool, brush.colour]).toEqual(['brush', '#123456']);
    brush.setSize(999);
    brush.setOpacity(0);
    expect([brush.size, brush.opacity]).toEqual([200, 0.05]);
  });
});

describe('PaintState', () => {
  it('starts from an image scaled to the painting size, or a blank sheet', () => {
    const { paint } = setup();
    expect(paint.canDream).toBe(false);
    paint.maxSide = 256;
    paint.useImage({ name: 'cat.jpg', url: '/u', width: 1024, height: 768 });
    expect(paint.base).toEqual({ kind: 'image', url: '/u', width: 256, height: 192, label: 'cat.jpg' });
    paint.blank();
    expect(paint.base).toMatchObject({ kind: 'blank', url: null, width: 256, height: 192 });
    expect(paint.pending).toBe(true);
  });

  it('runs the ping-pong loop: new session, dream, pick, paint, new round', async () => {
    const { paint, calls, finishRound } = setup();
    paint.useImage({ name: 'cat.jpg', url: '/u', width: 128, height: 96 });
    paint.brush.begin({ x: 1, y: 1 });
    paint.brush.end();
    paint.zoom = 1.1;
    paint.framesPerRound = 3;
    await paint.dream();
    expect(calls('session.new')).toEqual([{ painting, recipe: ZOOM_RECIPE, settings: session().settings }]);
    expect(calls('session.dream')).toEqual([{ id: 's1', frames: 3 }]);
    expect(paint.base).toMatchObject({ kind: 'painting', url: round(1, 0).paintingUrl });
    expect(paint.brush.strokes).toEqual([]);
    expect(paint.pending).toBe(false);
    paint.onEvent({ jobId: 'round', kind: 'session-dream', done: 1, total: 4, label: 'round 1 · frame 1/3', elapsedMs: 1, etaMs: 1, frame: { index: 0, url: round(1, 1).frameUrls[0]! } });
    expect(paint.round.frames).toEqual(round(1, 1).frameUrls);
    finishRound(3);
    expect(paint.session?.rounds[0]!.frameUrls).toHaveLength(3);

    await paint.dream();
    expect(calls('session.add')).toEqual([]);
    expect(calls('session.dream')).toHaveLength(2);
    finishRound(6);

    await paint.pick(1, 4);
    expect(calls('session.pick')).toEqual([{ id: 's1', round: 1, frame: 4 }]);
    expect(paint.base).toMatchObject({ kind: 'frame', url: round(1, 6).frameUrls[4], width: 128, height: 96 });
    expect(paint.pending).toBe(true);
    await paint.dream();
    expect(calls('session.add')).toEqual([{ id: 's1', painting }]);
    expect(paint.base).toMatchObject({ kind: 'painting', url: round(2, 0).paintingUrl, label: 'Round 2 painting' });
    expect(calls('session.dream')).toHaveLength(3);
  });

  it('says so when there is no canvas to flatten, and refuses to pick while dreaming', async () => {
    const { paint, notices, detach, calls } = setup();
    paint.blank();
    detach();
    await paint.dream();
    expect(calls('session.new')).toEqual([]);
    expect(notices.list.at(-1)).toMatchObject({ title: 'Could not dream from the painting', message: expect.stringContaining('The canvas is not ready yet.') });
    paint.attach(async () => painting);
    await paint.dream();
    await paint.pick(1, 0);
    expect(calls('session.pick')).toEqual([]);
    await paint.cancel();
    expect(calls('job.cancel')).toEqual([{ jobId: 'round' }]);
  });

  it('compiles the session video with its crossfade and hold, and reopens sessions', async () => {
    const { paint, calls } = setup();
    expect(paint.exporter.canExport).toBe(false);
    paint.openSession(session(round(1, 4, 2), round(2, 0)));
    expect(paint.base).toMatchObject({ kind: 'painting', url: round(2, 0).paintingUrl });
    expect(paint.zoom).toBe(1.1);
    // Frames per round come back from the last round dreamed (round 1: 4 frames).
    expect(paint.framesPerRound).toBe(4);
    paint.exporter.crossfade = 3;
    paint.exporter.hold = 2;
    await paint.exporter.export();
    expect(calls('session.video')).toEqual([{ id: 's1', format: 'mp4', fps: 30, quality: 18, size: null, crossfade: 3, hold: 2, allFrames: false }]);
  });

  it('exports the session video at a typed size, checked in the page with the encoder\'s rules', async () => {
    const { paint, calls } = setup();
    paint.openSession(session(round(1, 4, 2)));
    const exporter = paint.exporter;
    expect(exporter.typedSize).toBe(true);
    expect(exporter.outputSize).toEqual({ size: { width: 128, height: 96 } });
    exporter.width = 64;
    expect(exporter.outputSize).toEqual({ size: { width: 64, height: 48 } });
    for (const [width, height, problem] of [
      [65, null, 'H.264 (mp4) needs an even width; 65 is odd. Try 64 or 66.'],
      [8, null, 'Video width 8 must be a whole number from 16 to 8192.'],
      [null, 9000, 'Video height 9000 must be a whole number from 16 to 8192.'],
      [64, 47, 'H.264 (mp4) needs an even width and height; 64x47 is odd. Try 64x48.'],
    ] as const) {
      exporter.width = width;
      exporter.height = height;
      expect(exporter.problems).toEqual([problem]);
      expect(exporter.canExport).toBe(false);
    }
    exporter.setFormat('gif');
    exporter.width = null;
    exporter.height = 51;
    expect(exporter.outputSize).toEqual({ size: { width: 68, height: 51 } });
    exporter.setFormat('mp4');
    exporter.width = 300;
    exporter.height = Number.NaN;
    expect(exporter.outputSize).toEqual({ size: { width: 300, height: 226 } });
    await exporter.export();
    expect(calls('session.video')).toEqual([{ id: 's1', format: 'mp4', fps: 30, quality: 18, size: { width: 300, height: null }, crossfade: 6, hold: 12, allFrames: false }]);
  });

  it('sends a round to the farm only when a farm is saved and asked for', async () => {
    for (const [farmUrl, expected] of [[null, { id: 's1', frames: 8 }], ['redis://127.0.0.1:6379', { id: 's1', frames: 8, farm: true }]] as const) {
      const { paint, calls } = setup({}, farmUrl);
      paint.useImage({ name: 'cat.jpg', url: '/u', width: 128, height: 96 });
      paint.sendToFarm = true;
      await paint.dream();
      expect(calls('session.dream')).toEqual([expected]);
    }
  });
});
