// The zoom run over a project folder with the real model at 96x80: frames and manifest, tweens,
// keyframed layer switches, colour anchoring, cancel + resume equality, deleted frames, tensor leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from './helpers/embedded.ts';
import { createZoomProject, runZoomProject } from '../engine/animate/zoomRun.ts';
import { warpImage, frameTransform } from '../engine/animate/zoomPath.ts';
import { colorStats } from '../engine/animate/stability.ts';
import { parseKeyframes } from '../engine/recipe/keyframes.ts';
import { readZoomManifest } from '../engine/project/store.ts';
import { MissingFrameError } from '../engine/project/errors.ts';
import { decodeImage } from '../engine/io/image.ts';
import { DEFAULT_RECIPE, type Recipe } from '../engine/recipe/recipe.ts';
import type { ZoomSettings } from '../engine/project/manifest.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { RgbImage } from '../engine/shared/image.ts';

let model: DreamModel;
let root: string;
beforeAll(async () => {
  model = await embeddedModel();
  root = await mkdtemp(join(tmpdir(), 'reverie-zoom-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function picture(width = 96, height = 80): RgbImage {
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const disc = (x - width / 3) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2 ? 90 : 0;
      rgb[i] = Math.round((255 * x) / width);
      rgb[i + 1] = Math.round((200 * y) / height);
      rgb[i + 2] = 100 + disc;
    }
  }
  return { width, height, rgb };
}

const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], steps: 2, octaves: 1, seed: 5 };
const settings: ZoomSettings = { frames: 5, tween: 0, zoom: 1.08, rotate: 2, centerX: 0.3, centerY: 0.6, blend: 0, anchorColors: 0, keyframes: null };
let n = 0;

async function project(s: Partial<ZoomSettings> = {}, r: Recipe = recipe): Promise<string> {
  const dir = join(root, `p${n++}`);
  await createZoomProject(dir, { input: picture(), source: 'picture.png', recipe: r, settings: { ...settings, ...s }, backend: 'wasm', appVersion: 'test' });
  return dir;
}

const pixels = async (path: string): Promise<Buffer> => sharp(path).raw().toBuffer();

async function framePixels(dir: string): Promise<Buffer[]> {
  const m = await readZoomManifest(dir);
  return Promise.all(m.frames.map((f) => pixels(join(dir, f.file))));
}

let reference: Buffer[];

describe('runZoomProject', () => {
  it('renders the frames and a complete manifest, without leaking tensors', async () => {
    const dir = await project();
    const before = tf.memory().numTensors;
    const result = await runZoomProject(model, dir);
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ status: 'complete', frames: 5, made: 5 });
    const m = await readZoomManifest(dir);
    expect(m).toMatchObject({ status: 'complete', pid: null, error: null, seed: 5 });
    expect(m.frames.map((f) => [f.index, f.file, f.kind])).toEqual([0, 1, 2, 3, 4].map((i) => [i, `frame_0000${i}.png`, 'dream']));
    expect(new Set(m.frames.map((f) => f.seed)).size).toBe(5);
    // Each dreamed frame names the route that ran it, so a resume on another device can say so.
    expect(m.frames.map((f) => f.device)).toEqual(Array(5).fill(model.device?.device ?? 'tfjs'));
    expect(m.anchor?.mean).toHaveLength(3);
    reference = await framePixels(dir);
    for (const p of reference) expect(p.length).toBe(96 * 80 * 3);
    // Each frame differs from the last: it zoomed and dreamed.
    for (let i = 1; i < 5; i++) expect(reference[i]!.equals(reference[i - 1]!)).toBe(false);
  });

  it('cancelled mid-run, marks the manifest and resumes to the same frames as the uninterrupted run', async () => {
    const dir = await project();
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const first = await runZoomProject(model, dir, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.frame === 2 && p.step === 1) controller.abort();
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(first).toMatchObject({ status: 'cancelled', frames: 2 });
    expect((await readZoomManifest(dir)).status).toBe('cancelled');
    const second = await runZoomProject(model, dir);
    expect(second).toMatchObject({ status: 'complete', frames: 5, made: 3 });
    const frames = await framePixels(dir);
    frames.forEach((f, i) => expect(f.equals(reference[i]!), `frame ${i}`).toBe(true));
  });

  it('reports a deleted middle frame, then re-renders from the last intact frame to the same pixels', async () => {
    const dir = await project();
    await runZoomProject(model, dir);
    await rm(join(dir, 'frame_00002.png'));
    const err = (await runZoomProject(model, dir).catch((e: unknown) => e)) as MissingFrameError;
    expect(err).toBeInstanceOf(MissingFrameError);
    expect(err.message).toMatch(/frame_00002\.png \(frame 2\) is missing.*--rerender-from 1/);
    expect((await readZoomManifest(dir)).frames).toHaveLength(5); // nothing lost, manifest untouched
    const fixed = await runZoomProject(model, dir, { rerenderFrom: err.lastIntact });
    expect(fixed).toMatchObject({ status: 'complete', made: 3 });
    (await framePixels(dir)).forEach((f, i) => expect(f.equals(reference[i]!), `frame ${i}`).toBe(true));
  });

  it('makes tweens as pure zooms of the last dreamed frame, and a longer target extends a finished run', async () => {
    const dir = await project({ frames: 4, tween: 2 });
    await runZoomProject(model, dir);
    const m = await readZoomManifest(dir);
    expect(m.frames.map((f) => f.kind)).toEqual(['dream', 'tween', 'tween', 'dream']);
    expect(m.frames.map((f) => f.device === undefined)).toEqual([false, true, true, false]);
    const dreamed = await decodeImage(join(dir, 'frame_00000.png'));
    const geometry = { zoom: 1.08, rotate: 2, centerX: 0.3, centerY: 0.6 };
    const step = frameTransform(geometry, 96, 80);
    const twice = frameTransform({ ...geometry, zoom: 1.08 ** 2, rotate: 4 }, 96, 80);
    const expected = warpImage(dreamed, twice);
    const tween = await pixels(join(dir, 'frame_00002.png'));
    let worst = 0;
    for (let i = 0; i < tween.length; i++) worst = Math.max(worst, Math.abs(tween[i]! - expected.rgb[i]!));
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-3); // only PNG rounding
    expect(step.a).not.toBe(twice.a);
    const more = await runZoomProject(model, dir, { frames: 7 });
    expect(more).toMatchObject({ status: 'complete', frames: 7, made: 3 });
    expect((await readZoomManifest(dir)).frames.map((f) => f.kind).slice(4)).toEqual(['tween', 'tween', 'dream']);
  });

  it('switches layers at keyframes and records each frame\'s parameters', async () => {
    const keyframes = parseKeyframes({ keys: [{ frame: 0, zoom: 1.02, layers: 'mixed2' }, { frame: 2, zoom: 1.1, layers: 'mixed3', steps: 1 }] });
    const dir = await project({ frames: 3, keyframes });
    await runZoomProject(model, dir);
    const params = (await readZoomManifest(dir)).frames.map((f) => f.params);
    expect(params.map((p) => p.layers[0]!.name)).toEqual(['mixed2', 'mixed2', 'mixed3']);
    expect(params.map((p) => p.zoom)).toEqual([1.02, 1.06, 1.1]);
    expect(params.map((p) => p.steps)).toEqual([2, 2, 1]);
  });

  it('anchors colours: every frame keeps frame 0\'s channel means and spreads', async () => {
    const dir = await project({ frames: 4, anchorColors: 1, blend: 0.3 }, { ...recipe, stepSize: 6 });
    await runZoomProject(model, dir);
    const m = await readZoomManifest(dir);
    for (const f of m.frames.slice(1)) {
      const s = colorStats(await decodeImage(join(dir, f.file)));
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(s.mean[c]! - m.anchor!.mean[c]!)).toBeLessThan(1.5);
        expect(Math.abs(s.std[c]! - m.anchor!.std[c]!)).toBeLessThan(1.5);
      }
    }
  });

  it('refuses objectives the model lacks before making any frame, and a damaged input', async () => {
    const keyframes = parseKeyframes({ keys: [{ frame: 3, layers: 'mixed55' }] });
    const dir = await project({ keyframes });
    await expect(runZoomProject(model, dir)).rejects.toThrow(/mixed55/);
    expect((await readZoomManifest(dir)).frames).toHaveLength(0);
    const broken = await project();
    await writeFile(join(broken, 'source', 'input.png'), (await readFile(join(broken, 'source', 'input.png'))).subarray(0, 40));
    const before = tf.memory().numTensors;
    await expect(runZoomProject(model, broken)).rejects.toThrow(/input\.png/);
    expect(tf.memory().numTensors).toBe(before);
    expect((await readZoomManifest(broken)).status).toBe('failed');
  });
});
