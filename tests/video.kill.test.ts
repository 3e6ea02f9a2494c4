// `reverie video` SIGKILLed mid-encode (Node cannot catch it): ffmpeg must not encode on without it.
// The frames reach ffmpeg through its stdin, so the kill ends ffmpeg's input and ffmpeg stops within a
// moment; nothing is ever written at the target name, and the next encode removes the hidden temp file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createSession, latestRoundProject } from '../engine/animate/session.ts';
import { baseParams } from '../engine/animate/zoomPlan.ts';
import { decodeImage } from '../engine/io/image.ts';
import { readZoomManifest, sha256, writeFrame, writeManifest } from '../engine/project/store.ts';
import { parseRecipe } from '../engine/recipe/recipe.ts';
import { runCli } from './helpers/cli.ts';
import { startCli } from './reliability/processes.ts';

const FRAMES = 600;
const GRACE_MS = 5000;
let root: string;
let frames: string;
let out: string;
let images: Buffer[];

/** Live (not zombie) processes whose command line mentions `marker`, read from /proc. */
function procsMentioning(marker: string): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      const state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${name}/stat`, 'utf8'))?.[1];
      if (cmd.includes(marker) && state !== 'Z') found.push({ pid: Number(name), cmd });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-video-kill-'));
  frames = join(root, 'frames');
  out = join(root, 'out');
  await mkdir(frames);
  await mkdir(out);
  // 320x240 noise, seven distinct frames repeated: VP9 needs several seconds for all of them.
  const noise = (seed: number): Promise<Buffer> => {
    const b = Buffer.alloc(320 * 240 * 3);
    for (let i = 0, a = seed; i < b.length; i++) b[i] = (a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 24;
    return sharp(b, { raw: { width: 320, height: 240, channels: 3 } }).png().toBuffer();
  };
  images = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(noise));
  for (let i = 0; i < FRAMES; i++) await writeFile(join(frames, `frame_${String(i).padStart(5, '0')}.png`), images[i % 7]!);
});
afterAll(async () => {
  for (const p of procsMentioning(root)) process.kill(p.pid, 'SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe('reverie video SIGKILLed mid-encode', () => {
  it('ffmpeg ends with it, and no file appears at the target', async () => {
    const target = join(out, 'killed.webm');
    const run = startCli(['video', frames, '-o', target, '--json'], { ...process.env, TMPDIR: root });
    const spawned = await run.event((e) => e['type'] === 'ffmpeg');
    const ffmpeg = spawned['pid'] as number;
    await run.event((e) => e['type'] === 'progress' && (e['frame'] as number) > 0);
    const progress = await run.event((e) => e['type'] === 'progress' && (e['frame'] as number) > 0);
    expect(progress['frame'] as number, 'the encode was over before the kill: make it longer').toBeLessThan(FRAMES / 2);
    expect(procsMentioning(out).map((p) => p.pid)).toContain(ffmpeg);
    run.child.kill('SIGKILL');
    const killedAt = Date.now();
    await run.exit;
    while (procsMentioning(out).length > 0 && Date.now() - killedAt < GRACE_MS) await new Promise((r) => setTimeout(r, 50));
    const left = procsMentioning(out);
    console.log(`ffmpeg ${left.length === 0 ? `ended ${Date.now() - killedAt} ms after reverie was killed` : `still running ${GRACE_MS} ms after reverie was killed`}`);
    expect(left, `still running ${GRACE_MS} ms after reverie was SIGKILLed`).toEqual([]);
    expect(existsSync(target)).toBe(false);
    // Only the hidden temp file ffmpeg was writing (named after the dead reverie) is in the folder...
    expect(await readdir(out)).toEqual([expect.stringMatching(/^\.killed\.partial-\d+-[0-9a-f]+\.webm$/)]);
    // ...and the next encode of that target removes it.
    const few = join(root, 'few');
    await mkdir(few);
    for (const name of (await readdir(frames)).slice(0, 5)) await copyFile(join(frames, name), join(few, name));
    const redo = await runCli(['video', few, '-o', target]);
    expect(redo.code, redo.stderr).toBe(0);
    expect(await readdir(out)).toEqual(['killed.webm']);
  }, 300_000);

  it('session video: ffmpeg ends with it too, and no file appears at the target', async () => {
    // A session whose round has FRAMES dream frames (written as a dream would write them, without dreaming).
    const dir = join(root, 'session');
    const painting = join(root, 'painting.png');
    await writeFile(painting, images[0]!);
    const recipe = parseRecipe({ version: 1, layers: [{ name: 'mixed3', weight: 1 }], steps: 1, octaves: 1 });
    const settings = { tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null };
    await createSession(dir, await decodeImage(painting), 'painting.png', { recipe, settings, appVersion: 'test' });
    const { project } = await latestRoundProject(dir, 'wasm');
    const m = await readZoomManifest(project);
    for (let i = 0; i < FRAMES; i++) {
      const png = images[i % 7]!;
      const file = await writeFrame(project, i, png);
      m.frames.push({ index: i, file, kind: 'dream', status: 'done', seed: i, params: baseParams(recipe, settings), sha256: sha256(png), ms: 1 });
    }
    await writeManifest(project, m);
    const target = join(out, 'session.webm');
    const run = startCli(['session', 'video', dir, '-o', target, '--json'], { ...process.env, TMPDIR: root });
    await run.event((e) => e['type'] === 'progress' && (e['fraction'] as number) > 0);
    expect(procsMentioning(out).length, 'ffmpeg is encoding').toBeGreaterThan(0);
    run.child.kill('SIGKILL');
    const killedAt = Date.now();
    await run.exit;
    while (procsMentioning(out).length > 0 && Date.now() - killedAt < GRACE_MS) await new Promise((r) => setTimeout(r, 50));
    console.log(`session video: ffmpeg ${procsMentioning(out).length === 0 ? `ended ${Date.now() - killedAt} ms after reverie was killed` : 'still running'}`);
    expect(procsMentioning(out), `still running ${GRACE_MS} ms after reverie was SIGKILLed`).toEqual([]);
    expect(existsSync(target)).toBe(false);
    expect((await readdir(out)).filter((n) => n.includes('session'))).toEqual([expect.stringMatching(/^\.session\.partial-\d+-[0-9a-f]+\.webm$/)]);
  }, 300_000);
});
