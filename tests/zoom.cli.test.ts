// `reverie zoom` end to end: a short zoom with keyframes and tweens renders frames and a valid manifest,
// `reverie video` encodes the project folder to each format, and bad input gives one clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { runCli, writeTestImage } from './helpers/cli.ts';
import { readZoomManifest } from '../engine/project/store.ts';

const run = promisify(execFile);
let dir: string;
let input: string;
let project: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-zoom-cli-'));
  input = join(dir, 'photo.png');
  project = join(dir, 'zoom ü');
  await writeTestImage(input, 96, 80);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function probeFrames(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}

describe('reverie zoom', () => {
  it('renders a short keyframed zoom with tweens: frames, manifest, progress and frame events', async () => {
    const keyframes = join(dir, 'keys.json');
    await writeFile(keyframes, JSON.stringify({ interpolation: 'ease', keys: [{ frame: 0, zoom: 1.02, layers: 'mixed2' }, { frame: 4, zoom: 1.1, layers: 'mixed3' }] }));
    const r = await runCli(['zoom', input, '-o', project, '--frames', '6', '--tween', '1', '--steps', '1', '--keyframes', keyframes, '--center', '0.3,0.7', '--blend', '0.2', '--backend', 'wasm', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; index?: number; kind?: string; fraction?: number });
    expect(events.filter((e) => e.type === 'frame').map((e) => [e.index, e.kind])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, i % 2 ? 'tween' : 'dream']));
    const fractions = events.filter((e) => e.type === 'progress').map((e) => e.fraction!);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'done', frames: 6, status: 'complete' });

    expect((await readdir(project)).sort()).toEqual(['frame_00000.png', 'frame_00001.png', 'frame_00002.png', 'frame_00003.png', 'frame_00004.png', 'frame_00005.png', 'manifest.json', 'source']);
    const m = await readZoomManifest(project);
    expect(m).toMatchObject({ kind: 'zoom', status: 'complete', backend: 'wasm', recipe: { steps: 1, octaves: 1 }, settings: { frames: 6, tween: 1, centerX: 0.3, centerY: 0.7, blend: 0.2 } });
    expect(m.frames.map((f) => f.params.layers[0]!.name)).toEqual(['mixed2', 'mixed2', 'mixed2', 'mixed2', 'mixed3', 'mixed3']);
    const info = await runCli(['info', join(project, 'frame_00004.png'), '--json']);
    expect(JSON.parse(info.stdout)).toMatchObject({ recipe: { layers: [{ name: 'mixed3' }], seed: m.frames[4]!.seed } });
  });

  it.each(['mp4', 'webm', 'gif'])('encodes the project folder to %s with every frame', async (format) => {
    const out = join(dir, `zoom.${format}`);
    const r = await runCli(['video', project, '-o', out, '--fps', '12']);
    expect(r.code, r.stderr).toBe(0);
    expect(await probeFrames(out)).toBe(6);
  });

  it('gives one clear error for each mistake, and writes nothing into a folder that is in use', async () => {
    const fresh = join(dir, 'never');
    const badKeys = join(dir, 'bad.json');
    await writeFile(badKeys, JSON.stringify({ keys: [{ frame: 0, zoom: 1.1 }, { frame: 0, zoom: 2 }] }));
    const busy = join(dir, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'mine.txt'), 'keep');
    const cases: Array<[string[], number, RegExp]> = [
      [['zoom', input, '-o', fresh], 2, /--frames N/],
      [['zoom', input, '-o', fresh, '--frames', '3', '--center', '0.5'], 2, /--center expects X,Y/],
      [['zoom', input, '-o', fresh, '--frames', '3', '--center', '2,0.5'], 1, /"centerX" must be between 0 and 1, got 2/],
      [['zoom', input, '-o', fresh, '--frames', '3', '--zoom', 'fast'], 2, /--zoom expects a number, got "fast"/],
      [['zoom', input, '-o', fresh, '--frames', '3', '--tween=-1'], 2, /--tween expects a whole number/],
      [['zoom', input, '-o', fresh, '--frames', '3', '--keyframes', badKeys], 1, /KeyframeError: .*bad\.json: keys\[1\]: frame 0 must come after/],
      [['zoom', input, '-o', fresh, '--frames', '3', '--keyframes', join(dir, 'nope.json')], 1, /nope\.json: cannot read the keyframes file \(ENOENT\)/],
      [['zoom', input, '-o', busy, '--frames', '3'], 1, /busy — is not empty; choose a new folder/],
      [['resume', dir], 1, /ManifestError: .* has no manifest\.json/],
      [['resume', project, '--rerender-from', '9'], 1, /cannot re-render from frame 9: the project has frames 0-5/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(await readdir(busy)).toEqual(['mine.txt']);
    await expect(readdir(fresh)).rejects.toThrow(/ENOENT/);
    // The finished project is untouched by the failed resume.
    expect((await readZoomManifest(project)).status).toBe('complete');
    expect((await sharp(join(project, 'frame_00005.png')).metadata()).width).toBe(96);
  });
});
