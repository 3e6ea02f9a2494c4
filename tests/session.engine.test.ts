// The session operations the desktop UI calls, in process with the real model and real ffmpeg: new,
// dream (stopped by its signal), pick, add, video; nothing leaks tensors, and misuse is named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from './helpers/embedded.ts';
import { addPainting, createSession, latestRoundProject, pickFrame } from '../engine/animate/session.ts';
import { compileSessionVideo } from '../engine/animate/sessionVideo.ts';
import { runZoomProject } from '../engine/animate/zoomRun.ts';
import { readSessionManifest } from '../engine/project/store.ts';
import { ManifestError, ProjectError } from '../engine/project/errors.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { RgbImage } from '../engine/shared/image.ts';

let model: DreamModel;
let root: string;
beforeAll(async () => {
  model = await embeddedModel();
  root = await mkdtemp(join(tmpdir(), 'reverie-session-engine-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const painting = (tint: number): RgbImage => ({ width: 96, height: 80, rgb: Float32Array.from({ length: 96 * 80 * 3 }, (_, i) => ((i * 13) % 200) + (i % 3 === 2 ? tint : 0)) });
const options = { recipe: { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], steps: 1, octaves: 1 }, settings: { tween: 0, zoom: 1.1, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null }, appVersion: 'test' };

describe('session engine API', () => {
  it('dreams until its signal stops it, picks, adds, compiles, and leaks no tensors', async () => {
    const dir = join(root, 'ping-pong');
    await createSession(dir, painting(0), 'first.png', options);
    const before = tf.memory().numTensors;
    const { project, frames } = await latestRoundProject(dir, 'wasm');
    expect(frames).toBe(0);
    // No frame target: the round dreams until the artist says stop.
    const stop = new AbortController();
    const dreamed = await runZoomProject(model, project, { frames: null, signal: stop.signal, onFrame: (f) => f.index === 2 && stop.abort() });
    expect(dreamed).toMatchObject({ status: 'cancelled', frames: 3 });
    expect(tf.memory().numTensors).toBe(before);

    await expect(pickFrame(dir, 3)).rejects.toThrow(/round 1 has frames 0-2; cannot pick frame 3/);
    await pickFrame(dir, 2);
    const round2 = await addPainting(dir, painting(50), 'second.png');
    expect(round2).toMatchObject({ number: 2, painting: join('rounds', '02', 'painting.png'), picked: null });
    await expect(pickFrame(dir, 0)).rejects.toThrow(/round 2 has no dream frames yet/);
    const next = await latestRoundProject(dir, 'wasm');
    await runZoomProject(model, next.project, { frames: 2 });
    expect(tf.memory().numTensors).toBe(before);

    const m = await readSessionManifest(dir);
    expect(m.rounds.map((r) => r.picked)).toEqual([2, null]);
    const video = await compileSessionVideo(dir, { out: join(root, 'ping-pong.gif'), crossfade: 1, hold: 2, fps: 10 });
    // (2 + 3) + (2 + 2) frames, 3 cuts x 1 crossfade
    expect(video).toMatchObject({ frames: 12, width: 96, height: 80, format: 'gif', timeline: { paintings: 4, frames: 5, crossfades: 3 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names misuse: a non-empty folder, a zoom project where a session is expected, an absent round', async () => {
    const dir = join(root, 'ping-pong');
    await expect(createSession(dir, painting(0), 'x.png', options)).rejects.toThrow(ProjectError);
    await expect(readSessionManifest(join(dir, 'rounds', '01', 'dream'))).rejects.toThrow(ManifestError);
    await expect(readSessionManifest(join(dir, 'rounds', '01', 'dream'))).rejects.toThrow(/is a zoom project, not a session/);
    await expect(pickFrame(dir, 0, 7)).rejects.toThrow(/has no round 7; it has rounds 1-2/);
  });
});
