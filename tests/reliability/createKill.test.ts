// `reverie zoom` and `reverie session new` SIGKILLed while they create their folder: the moment anything
// appears in the parent folder, then a few milliseconds later, and so on. After every kill there is
// either no project folder or one that `reverie resume` (or the session commands) accept; a killed
// creator's hidden folder is never read as a project and is removed when the next project is created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createZoomProject } from '../../engine/animate/zoomRun.ts';
import { checkFramesOnDisk, readManifest, readSessionManifest, readZoomManifest } from '../../engine/project/store.ts';
import { parseRecipe } from '../../engine/recipe/recipe.ts';
import { runCli } from '../helpers/cli.ts';
import { processesMentioning, startCli } from './processes.ts';

let root: string;
let input: string;
const SIDE = 700;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-create-kill-'));
  input = join(root, 'in.png');
  // Noise: slow to encode as PNG, so creating the project takes a while and a kill lands inside it.
  const rgb = Buffer.alloc(SIDE * SIDE * 3);
  for (let i = 0, a = 7; i < rgb.length; i++) rgb[i] = (a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 24;
  await sharp(rgb, { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toFile(input);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Starts `args`, and SIGKILLs it `delayMs` after the first entry appears in `parent`; false if it had
 * already finished by then (successfully: a failed run fails the test). */
async function killAfterFirstEntry(parent: string, args: string[], delayMs: number): Promise<boolean> {
  await mkdir(parent, { recursive: true });
  const run = startCli(args);
  const watcher = watch(parent);
  const fired = new Promise<void>((resolve) => watcher.once('change', () => resolve()));
  // A creation too quick for the watcher is caught by polling.
  const poll = setInterval(() => void readdir(parent).then((n) => n.length > 0 && watcher.emit('change')), 5);
  await Promise.race([fired, run.exit]);
  clearInterval(poll);
  watcher.close();
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  run.child.kill('SIGKILL');
  const r = await run.exit;
  if (r.signal === 'SIGKILL') return true;
  expect(r.code, r.stderr).toBe(0);
  return false;
}

/** The invariant: `name` is absent, or a project with its manifest and input; anything else is hidden and refused. */
async function checkLeftovers(parent: string, name: string, kind: 'zoom' | 'session'): Promise<{ project: boolean; hidden: string[] }> {
  const names = await readdir(parent);
  const hidden = names.filter((n) => n !== name);
  for (const n of hidden) {
    expect(n, `unexpected entry in ${parent}`).toMatch(new RegExp(`^\\.${name}\\.reverie-new-\\d+-[0-9a-f]+$`));
    await expect(readManifest(join(parent, n))).rejects.toThrow(/unfinished folder of a project whose creation was interrupted/);
  }
  if (!names.includes(name)) return { project: false, hidden };
  const dir = join(parent, name);
  if (kind === 'zoom') {
    const m = await readZoomManifest(dir);
    await checkFramesOnDisk(dir, m);
    expect(await sharp(join(dir, m.input.file)).metadata()).toMatchObject({ width: SIDE, height: SIDE });
  } else {
    const m = await readSessionManifest(dir);
    expect(m.rounds).toHaveLength(1);
    expect(await sharp(join(dir, m.rounds[0]!.painting)).metadata()).toMatchObject({ width: SIDE, height: SIDE });
  }
  return { project: true, hidden };
}

const DELAYS = [0, 0, 1, 2, 5, 10, 20, 50, 100, 200, 1000];

describe('creating a project is atomic under SIGKILL', () => {
  it('reverie zoom killed while creating its project: no folder, or one resume accepts', async () => {
    const made: string[] = [];
    const seen: string[] = [];
    for (const [i, delay] of DELAYS.entries()) {
      const parent = join(root, `zoom-${i}`);
      await killAfterFirstEntry(parent, ['zoom', input, '-o', join(parent, 'proj'), '--frames', '1', '--steps', '1', '--layers', 'mixed0', '--json'], delay);
      const { project, hidden } = await checkLeftovers(parent, 'proj', 'zoom');
      seen.push(`${delay} ms: ${project ? 'project' : 'no project'}${hidden.length ? ` + ${hidden.length} hidden` : ''}`);
      if (project) made.push(join(parent, 'proj'));
      if (hidden.length > 0) {
        // The next creation beside it removes what the killed creator left (its pid is gone).
        const recipe = parseRecipe({ version: 1, layers: [{ name: 'mixed0', weight: 1 }], steps: 1 }, 'test');
        const settings = { frames: 1, tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null };
        await createZoomProject(join(parent, 'next'), { input: { width: 8, height: 8, rgb: new Float32Array(192) }, source: 'x.png', recipe, settings, backend: 'cpu', appVersion: 'test' });
        expect((await readdir(parent)).sort()).toEqual([...(project ? ['proj'] : []), 'next'].sort());
      }
    }
    console.log(`zoom kills: ${seen.join('; ')}`);
    expect(processesMentioning(root)).toEqual([]);
    // A real resume continues one of them (the latest kill, a second in, always has its project).
    expect(made.length).toBeGreaterThan(0);
    const r = await runCli(['resume', made.at(-1)!, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((await readZoomManifest(made.at(-1)!)).frames).toHaveLength(1);
  }, 600_000);

  it('reverie session new killed while creating its session: no folder, or one the session commands read', async () => {
    for (const [i, delay] of DELAYS.entries()) {
      const parent = join(root, `session-${i}`);
      // session new is quick: it may finish before a late kill; then the session must be whole.
      await killAfterFirstEntry(parent, ['session', 'new', join(parent, 's'), '--from', input, '--json'], delay);
      await checkLeftovers(parent, 's', 'session');
      if (existsSync(join(parent, 's'))) {
        const r = await runCli(['session', 'show', join(parent, 's'), '--json']);
        expect(r.code, r.stderr).toBe(0);
      }
    }
  }, 600_000);
});
