// A painting too small to dream on is refused when it enters a session (`session new`, `session add`,
// and the engine calls the app makes), with one line naming the smallest size the recipe's layers need;
// nothing is written and the session is unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../engine/backend.ts';
import { addPainting, createSession, minimumPaintingSide } from '../engine/animate/session.ts';
import { decodeImage } from '../engine/io/image.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { ImageTooSmallError } from '../engine/shared/errors.ts';
import { parseRecipe } from '../engine/recipe/recipe.ts';
import { runCli, writeTestImage } from './helpers/cli.ts';

let root: string;
let tiny: string;
let painting: string;
let model: DreamModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-painting-size-'));
  tiny = join(root, 'tiny.png');
  painting = join(root, 'painting.png');
  await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toFile(tiny);
  await writeTestImage(painting, 96, 80);
  await initBackend('wasm');
  model = await loadDreamModel();
});
afterAll(async () => {
  model?.dispose();
  await rm(root, { recursive: true, force: true });
});

/** The one line reverie prints for an error (no stack). */
const errorLine = (stderr: string): string => stderr.split('\n').filter((l) => l.trim() !== '').join('\n');

describe('a painting too small to dream on', () => {
  it('session new: refused at once, naming the minimum for the recipe, and no session folder is made', async () => {
    const min = minimumPaintingSide(model, parseRecipe({ version: 1, layers: [{ name: 'mixed3', weight: 1 }, { name: 'mixed5', weight: 1 }] }), { keyframes: null });
    expect(min).toBeGreaterThan(20);
    const dir = join(root, 'new');
    const r = await runCli(['session', 'new', dir, '--from', tiny]);
    expect(r.code, r.stderr).toBe(1);
    expect(errorLine(r.stderr)).toBe(`reverie session: ImageTooSmallError: tiny.png is 20x20; the session's recipe (mixed3, mixed5 on inception_v3) needs at least ${min}x${min} pixels.`);
    expect(existsSync(dir)).toBe(false);
    expect((await readdir(root)).filter((n) => n.startsWith('.'))).toEqual([]);

    // The minimum follows the recipe: earlier layers see smaller paintings.
    const early = minimumPaintingSide(model, parseRecipe({ version: 1, layers: [{ name: 'mixed0', weight: 1 }] }), { keyframes: null });
    const r0 = await runCli(['session', 'new', dir, '--from', tiny, '--layers', 'mixed0']);
    expect(r0.code, r0.stderr).toBe(1);
    expect(errorLine(r0.stderr)).toMatch(new RegExp(`^reverie session: ImageTooSmallError: tiny\\.png is 20x20; .*mixed0.* at least ${early}x${early} pixels\\.$`));
  });

  it('session add: refused at once, the session unchanged', async () => {
    const dir = join(root, 'add');
    const made = await runCli(['session', 'new', dir, '--from', painting]);
    expect(made.code, made.stderr).toBe(0);
    const before = await readFile(join(dir, 'manifest.json'), 'utf8');
    const r = await runCli(['session', 'add', dir, tiny]);
    expect(r.code, r.stderr).toBe(1);
    expect(errorLine(r.stderr)).toMatch(/^reverie session: ImageTooSmallError: tiny\.png is 20x20; the session's recipe \(mixed3, mixed5 on inception_v3\) needs at least \d+x\d+ pixels\.$/);
    expect(await readFile(join(dir, 'manifest.json'), 'utf8')).toBe(before);
    expect(await readdir(join(dir, 'rounds'))).toEqual(['01']);
    const show = await runCli(['session', 'show', dir, '--json']);
    expect((JSON.parse(show.stdout) as { rounds: unknown[] }).rounds).toHaveLength(1);
  });

  it('the engine calls (what the app uses) refuse it too, with or without a model given', async () => {
    const small = await decodeImage(tiny);
    const recipe = parseRecipe({ version: 1, layers: [{ name: 'mixed4', weight: 1 }] });
    const settings = { tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null };
    const dir = join(root, 'engine');
    await expect(createSession(dir, small, 'tiny.png', { recipe, settings, appVersion: 'test', model })).rejects.toThrow(ImageTooSmallError);
    expect(existsSync(dir)).toBe(false);
    await createSession(dir, await decodeImage(painting), 'painting.png', { recipe, settings, appVersion: 'test', model });
    const before = await readFile(join(dir, 'manifest.json'), 'utf8');
    await expect(addPainting(dir, small, 'tiny.png', model)).rejects.toThrow(/tiny\.png is 20x20; .* at least \d+x\d+ pixels/);
    await expect(addPainting(dir, small, 'tiny.png')).rejects.toThrow(ImageTooSmallError);
    expect(await readFile(join(dir, 'manifest.json'), 'utf8')).toBe(before);
    // A keyframe that switches to a deeper layer raises the minimum.
    const deeper = { ...settings, keyframes: { version: 1 as const, interpolation: 'linear' as const, keys: [{ frame: 0 }, { frame: 10, layers: [{ name: 'mixed5', weight: 1 }] }] } };
    expect(minimumPaintingSide(model, recipe, deeper)).toBeGreaterThanOrEqual(minimumPaintingSide(model, recipe, settings));
  });
});
