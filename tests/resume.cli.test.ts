// `reverie zoom` killed with SIGKILL or cancelled with Ctrl-C, then `reverie resume`: the frames equal an
// uninterrupted run's, pixel for pixel; the manifest is valid at every point in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import sharp from 'sharp';
import { runCli, spawnCli, writeTestImage } from './helpers/cli.ts';
import { readZoomManifest } from '../engine/project/store.ts';

let dir: string;
let input: string;
let reference: Buffer[];
const FRAMES = 8;
// Four mixed3 steps per frame: slow enough (a few tenths of a second) to stop the run in the middle.
const args = (out: string): string[] => ['zoom', input, '-o', out, '--frames', String(FRAMES), '--steps', '4', '--layers', 'mixed3', '--zoom', '1.07', '--center', '0.4,0.6', '--rotate', '1', '--tween', '1', '--anchor-colors', '0.5', '--seed', '9', '--backend', 'wasm', '--json'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-resume-'));
  input = join(dir, 'input photo.png');
  await writeTestImage(input, 96, 80);
  const r = await runCli(args(join(dir, 'reference')));
  expect(r.code, r.stderr).toBe(0);
  reference = await framePixels(join(dir, 'reference'));
  expect(reference).toHaveLength(FRAMES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function framePixels(project: string): Promise<Buffer[]> {
  const names = (await readdir(project)).filter((f) => /^frame_\d+\.png$/.test(f)).sort();
  return Promise.all(names.map((f) => sharp(join(project, f)).raw().toBuffer()));
}

/** Resolves once the child reports that frame `index` is written (JSON "frame" event on stdout). */
function afterFrame(child: ChildProcess, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      if (buffered.split('\n').some((l) => l.startsWith('{"type":"frame"') && (JSON.parse(l) as { index: number }).index === index)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`reverie exited (${code}) before frame ${index}`)));
  });
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

describe('reverie resume', () => {
  it('after SIGKILL mid-run, finishes with frames identical to an uninterrupted run', async () => {
    const out = join(dir, 'killed');
    const child = spawnCli(args(out));
    const exit = exited(child);
    await afterFrame(child, 1);
    child.kill('SIGKILL');
    expect((await exit).signal).toBe('SIGKILL');
    const m = await readZoomManifest(out); // valid JSON and a valid manifest despite the kill
    expect(m.status).toBe('running');
    expect(m.frames.length).toBeGreaterThanOrEqual(2);
    expect(m.frames.length).toBeLessThan(FRAMES);

    const r = await runCli(['resume', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"type":"done".*"status":"complete"/);
    const frames = await framePixels(out);
    expect(frames).toHaveLength(FRAMES);
    frames.forEach((f, i) => expect(f.equals(reference[i]!), `frame ${i}`).toBe(true));
    expect((await readdir(out)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await readZoomManifest(out)).status).toBe('complete');
  });

  it('Ctrl-C marks the run cancelled with a valid manifest, and resume finishes it identically', async () => {
    const out = join(dir, 'cancelled');
    const child = spawnCli(args(out));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = exited(child);
    await afterFrame(child, 1);
    child.kill('SIGINT');
    expect((await exit).code).toBe(130);
    expect(stderr).toMatch(/Cancelled after \d+ frames; the project is saved\. Continue with: reverie resume/);
    const m = await readZoomManifest(out);
    expect(m).toMatchObject({ status: 'cancelled', pid: null });
    expect(m.frames.length).toBeLessThan(FRAMES);

    const r = await runCli(['resume', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Made ${FRAMES - m.frames.length} frames; .* now has ${FRAMES}\\.`));
    (await framePixels(out)).forEach((f, i) => expect(f.equals(reference[i]!), `frame ${i}`).toBe(true));
    const again = await runCli(['resume', out]);
    expect(again.stderr).toMatch(/Nothing to do: .* already has all 8 frames/);
  });

  it('names a deleted frame, keeps the rest, and re-renders from the last intact frame when asked', async () => {
    const out = join(dir, 'reference');
    await rm(join(out, 'frame_00005.png'));
    const r = await runCli(['resume', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MissingFrameError: .*frame_00005\.png \(frame 5\) is missing; the other 7 frames are intact\. Re-render from the last intact frame with: reverie resume .* --rerender-from 4/);
    expect((await readZoomManifest(out)).frames).toHaveLength(FRAMES);
    const fixed = await runCli(['resume', out, '--rerender-from', '4']);
    expect(fixed.code, fixed.stderr).toBe(0);
    (await framePixels(out)).forEach((f, i) => expect(f.equals(reference[i]!), `frame ${i}`).toBe(true));
  });
});
