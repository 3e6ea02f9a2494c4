// SIGKILL at random points of a zoom run, over and over: `reverie zoom`, then `reverie resume` again
// and again, each killed after a delay drawn from a seeded RNG (during start-up, or a few frames into
// rendering). After every kill the manifest is valid and every frame it lists is intact and equal, pixel
// for pixel, to the uninterrupted run's; the last resume completes with all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readRecordedFrame, readZoomManifest } from '../../engine/project/store.ts';
import { seededRandom } from '../../engine/shared/random.ts';
import { runCli } from '../helpers/cli.ts';
import { photo } from './badImages.ts';
import { processesMentioning, startCli } from './processes.ts';

const KILLS = 20;
const FRAMES = 60;
let root: string;
let input: string;
let reference: Buffer[];
/** Median milliseconds per frame in the reference run: kill windows scale with the machine's speed. */
let frameMs: number;
const settings = ['--frames', String(FRAMES), '--steps', '1', '--layers', 'mixed2', '--zoom', '1.06', '--rotate', '2', '--tween', '1', '--anchor-colors', '0.5', '--seed', '11', '--backend', 'wasm', '--json'];

async function framePixels(project: string): Promise<Buffer[]> {
  const names = (await readdir(project)).filter((f) => /^frame_\d+\.png$/.test(f)).sort();
  return Promise.all(names.map((f) => sharp(join(project, f)).raw().toBuffer()));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-kill-loop-'));
  input = join(root, 'in.png');
  await photo(64, 64).png().toFile(input);
  const r = await runCli(['zoom', input, '-o', join(root, 'reference'), ...settings]);
  expect(r.code, r.stderr).toBe(0);
  reference = await framePixels(join(root, 'reference'));
  expect(reference).toHaveLength(FRAMES);
  const times = (await readZoomManifest(join(root, 'reference'))).frames.map((f) => f.ms).sort((a, b) => a - b);
  frameMs = Math.max(20, times[times.length >> 1]!);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SIGKILL loop over a zoom run', () => {
  // ~2 s of start-up per launch, 20+ launches: a generous timeout for busy machines.
  it(`survives ${KILLS} kills at random points and still ends with the uninterrupted run's frames`, { timeout: 400_000 }, async () => {
    const project = join(root, 'killed');
    const random = seededRandom(20261127);
    const log: string[] = [];
    let kills = 0;
    for (let launch = 0; kills < KILLS; launch++) {
      const manifestExists = existsSync(join(project, 'manifest.json'));
      const run = startCli(manifestExists ? ['resume', project, '--json'] : ['zoom', input, '-o', project, ...settings]);
      // A quarter of the kills land during start-up (reading the manifest, loading the model), a quarter
      // just after it (checking the recipe, warming up the first frame), half up to 4 frames' time into rendering:
      // mid-step, mid-PNG-encode, between a frame's write and its manifest's. The first run is killed only
      // once its project exists (creating a project is not atomic: see the report).
      const roll = random();
      const phase = !manifestExists ? 'rendering' : roll < 0.25 ? 'start-up' : roll < 0.5 ? 'warm-up' : 'rendering';
      const delay = Math.round(random() * (phase === 'start-up' ? 2000 : phase === 'warm-up' ? 8 * frameMs : 4 * frameMs));
      const exited = run.exit.then(() => 'exited' as const);
      const anchor = phase === 'start-up' ? Promise.resolve() : run.event((e) => e['type'] === (phase === 'warm-up' ? 'model' : 'frame')).then(() => undefined);
      const ready = await Promise.race([anchor.then(() => 'ready' as const), exited]);
      if (ready === 'ready') {
        await Promise.race([sleep(delay), exited]);
        run.child.kill('SIGKILL');
      }
      const r = await run.exit;
      if (r.signal !== 'SIGKILL') throw new Error(`launch ${launch} ended by itself (code ${r.code}) before its kill:\n${r.stderr}`);
      kills++;
      // Whatever the moment of the kill: a valid manifest, intact listed frames, no temp file once resumed.
      const m = await readZoomManifest(project);
      for (const f of m.frames) {
        // Intact, and already the uninterrupted run's pixels: a resume that drifted shows at the kill after it.
        const png = await readRecordedFrame(project, m, f.index);
        const pixels = await sharp(png).raw().toBuffer();
        expect(pixels.equals(reference[f.index]!), `after kill ${kills}: frame ${f.index} differs from the uninterrupted run`).toBe(true);
      }
      expect(processesMentioning(root)).toEqual([]);
      log.push(`${phase}+${delay}ms→${m.frames.length}`);
    }
    const last = await runCli(['resume', project, '--json']);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toMatch(/"type":"done".*"status":"complete"/);
    console.log(`SIGKILL loop: ${kills} kills survived (kill point → frames in the manifest): ${log.join(', ')}`);
    const frames = await framePixels(project);
    expect(frames).toHaveLength(FRAMES);
    frames.forEach((f, i) => expect(f.equals(reference[i]!), `frame ${i}`).toBe(true));
    expect((await readdir(project)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await readZoomManifest(project)).status).toBe('complete');
  });
});
