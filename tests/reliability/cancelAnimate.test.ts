// Cancelling a zoom, a session round, a session video and a plain video (AbortSignal) at several points:
// no tensors, no ffmpeg child, no temp files or folders left behind, and no output at the target name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from '../helpers/embedded.ts';
import { createZoomProject, runZoomProject, type RunZoomOptions } from '../../engine/animate/zoomRun.ts';
import { createSession, latestRoundProject } from '../../engine/animate/session.ts';
import { compileSessionVideo } from '../../engine/animate/sessionVideo.ts';
import { encodeVideo } from '../../engine/video/encode.ts';
import { readZoomManifest } from '../../engine/project/store.ts';
import { DEFAULT_RECIPE } from '../../engine/recipe/recipe.ts';
import type { DreamModel } from '../../engine/shared/model.ts';
import { isAlive, processesMentioning } from './processes.ts';

let model: DreamModel;
let root: string;
let scratch: string;
const savedTmp = process.env['TMPDIR'];
beforeAll(async () => {
  model = await embeddedModel();
  root = await mkdtemp(join(tmpdir(), 'reverie-cancel-'));
  // Temp folders the engine makes (frame sequences, session staging) land here, where they can be counted.
  scratch = join(root, 'tmp');
  await mkdir(scratch);
  process.env['TMPDIR'] = scratch;
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
  await rm(root, { recursive: true, force: true });
});

const width = 80;
const height = 64;
const input = { width, height, rgb: Float32Array.from({ length: width * height * 3 }, (_, i) => (i * 13) % 251) };
const recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], steps: 2, octaves: 1 };
const settings = { tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null };

/** Nothing of ours still running, no temp file beside the frames, no temp folder in TMPDIR. */
async function expectNothingLeft(dir: string): Promise<void> {
  expect(processesMentioning(root)).toEqual([]);
  expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  expect(await readdir(scratch)).toEqual([]);
}

describe('cancelling a zoom', () => {
  const points: Array<[string, (c: AbortController) => Partial<RunZoomOptions>, number]> = [
    ['before the first frame', (c) => (c.abort(), {}), 0],
    ['mid-dream in frame 1 (after its first step)', (c) => ({ onProgress: (p) => p.frame === 1 && p.step === 1 && c.abort() }), 1],
    ['between frames 2 and 3', (c) => ({ onFrame: (f) => f.index === 2 && c.abort() }), 3],
  ];
  it.each(points)('%s: status cancelled, frames so far kept, no tensors', async (label, hook, frames) => {
    const dir = join(root, `zoom ${label}`);
    await createZoomProject(dir, { input, source: 'in.png', recipe, settings: { ...settings, frames: 6 }, backend: 'wasm', appVersion: 'test' });
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const result = await runZoomProject(model, dir, { signal: controller.signal, ...hook(controller) });
    expect(result).toMatchObject({ status: 'cancelled', frames });
    expect(tf.memory().numTensors).toBe(before);
    expect(await readZoomManifest(dir)).toMatchObject({ status: 'cancelled', pid: null });
    await expectNothingLeft(dir);
  });
});

describe('cancelling a session', () => {
  let session: string;
  beforeAll(async () => {
    session = join(root, 'session');
    await createSession(session, input, 'painting.png', { recipe, settings, appVersion: 'test' });
  });

  it('a round dreamed until cancelled keeps its frames and leaves no tensors', async () => {
    const { project } = await latestRoundProject(session, 'wasm');
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const result = await runZoomProject(model, project, { frames: null, signal: controller.signal, onFrame: (f) => f.index === 3 && controller.abort() });
    expect(result).toMatchObject({ status: 'cancelled', frames: 4 });
    expect(tf.memory().numTensors).toBe(before);
    await expectNothingLeft(project);
  });

  it.each([
    ['while staging crossfade frames', 'staging'],
    ['once ffmpeg runs', 'spawned'],
    ['after ffmpeg reports progress', 'progress'],
  ] as const)('its video, cancelled %s: AbortError, no file, no ffmpeg, no staging folder', async (_label, when) => {
    const out = join(root, `session-${when}.webm`);
    const controller = new AbortController();
    let ffmpeg: number | undefined;
    if (when === 'staging') setTimeout(() => controller.abort(), 1);
    const spy = setInterval(() => {
      // compileSessionVideo does not expose ffmpeg's pid: find it by the output folder in its arguments.
      const found = processesMentioning(`session-${when}`)[0];
      if (found && ffmpeg === undefined) {
        ffmpeg = found.pid;
        if (when === 'spawned') controller.abort();
      }
    }, 2);
    const err = await compileSessionVideo(session, { out, crossfade: 12, hold: 6, signal: controller.signal, onProgress: () => when === 'progress' && controller.abort() }).catch((e: unknown) => e);
    clearInterval(spy);
    expect((err as Error).name, String(err)).toBe('AbortError');
    expect(existsSync(out)).toBe(false);
    if (ffmpeg !== undefined) expect(isAlive(ffmpeg)).toBe(false);
    if (when !== 'staging') expect(ffmpeg).toBeDefined();
    await expectNothingLeft(root);
  });
});

describe('cancelling a video encode', () => {
  it.each(['before it starts', 'as ffmpeg starts', 'after the first progress report'] as const)('%s: AbortError, no file, no temp, no ffmpeg', async (when) => {
    const frames = (await readdir(join(root, 'zoom between frames 2 and 3'))).filter((f) => f.startsWith('frame_')).map((f) => join(root, 'zoom between frames 2 and 3', f));
    const many = Array.from({ length: 240 }, (_, i) => frames[i % frames.length]!);
    const out = join(root, 'video.webm');
    const controller = new AbortController();
    if (when === 'before it starts') controller.abort();
    let pid: number | undefined;
    const err = await encodeVideo({
      frames: many,
      out,
      signal: controller.signal,
      onSpawn: (p) => {
        pid = p;
        if (when === 'as ffmpeg starts') controller.abort();
      },
      onProgress: () => when === 'after the first progress report' && controller.abort(),
    }).catch((e: unknown) => e);
    expect((err as Error).name, String(err)).toBe('AbortError');
    expect(existsSync(out)).toBe(false);
    if (when !== 'before it starts') expect(pid !== undefined && !isAlive(pid)).toBe(true);
    await expectNothingLeft(root);
  });
});
