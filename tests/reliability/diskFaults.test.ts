// A zoom whose output folder fills up, turns read-only, or has a folder where a frame should go: the run
// stops with a clear error, the manifest stays valid and lists only intact frames, and once the problem is
// gone `reverie resume` finishes with frames equal to an uninterrupted run. The full disk and the read-only
// folder are real (a 2 MB tmpfs, remounted read-only): mounting needs root, as CI runs; without it these
// tests fail and say why (they never stand in another fault for the one they name).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readRecordedFrame, readZoomManifest } from '../../engine/project/store.ts';
import type { ZoomManifest } from '../../engine/project/manifest.ts';
import { runCli } from '../helpers/cli.ts';
import { photo } from './badImages.ts';
import { startCli } from './processes.ts';
import { fillDisk, mountTmpfs, remount, unmount } from './tmpfs.ts';

const FRAMES = 10;
let root: string;
let input: string;
let disk: string;
let mounted = false;
let reference: Buffer[];
const zoomArgs = (project: string): string[] => ['zoom', input, '-o', project, '--frames', String(FRAMES), '--steps', '1', '--layers', 'mixed2', '--zoom', '1.08', '--seed', '3', '--backend', 'wasm', '--json'];

async function framePixels(project: string): Promise<Buffer[]> {
  const names = (await readdir(project)).filter((f) => /^frame_\d+\.png$/.test(f)).sort();
  return Promise.all(names.map((f) => sharp(join(project, f)).raw().toBuffer()));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-disk-faults-'));
  input = join(root, 'in.png');
  await photo(64, 64).png().toFile(input);
  const r = await runCli(zoomArgs(join(root, 'reference')));
  expect(r.code, r.stderr).toBe(0);
  reference = await framePixels(join(root, 'reference'));
  disk = join(root, 'disk');
  await mkdir(disk);
  mountTmpfs(disk, 2 << 20);
  mounted = true;
});
afterAll(async () => {
  if (mounted) {
    await remount(disk, 'rw').catch(() => undefined);
    unmount(disk);
  }
  await rm(root, { recursive: true, force: true });
});

/** The manifest parses, every frame it lists is on disk unchanged, and no temp file is left. */
async function expectIntact(project: string): Promise<ZoomManifest> {
  const m = await readZoomManifest(project);
  for (const f of m.frames) await readRecordedFrame(project, m, f.index); // throws if missing or changed
  const names = await readdir(project);
  expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  // At most one frame beyond the manifest: written just before its manifest update failed.
  expect(names.filter((n) => /^frame_\d+\.png$/.test(n)).length - m.frames.length).toBeLessThanOrEqual(1);
  expect(m.frames.length).toBeLessThan(FRAMES);
  return m;
}

async function expectResumedIdentically(project: string): Promise<void> {
  const r = await runCli(['resume', project, '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/"type":"done".*"status":"complete"/);
  const frames = await framePixels(project);
  expect(frames).toHaveLength(FRAMES);
  frames.forEach((f, i) => expect(f.equals(reference[i]!), `frame ${i}`).toBe(true));
  expect((await readZoomManifest(project)).status).toBe('complete');
}

/** Frame 3's path becomes a folder once the run has started (a non-empty project folder is refused up front). */
async function blockedFrame(name: string): Promise<void> {
  const project = join(root, name);
  const run = startCli(zoomArgs(project));
  await run.event((e) => e['type'] === 'frame' && e['index'] === 0);
  await mkdir(join(project, 'frame_00003.png'));
  const r = await run.exit;
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/reverie zoom: OutputWriteError: .*frame_00003\.png — a folder already exists at this path \(EISDIR/);
  const m = await expectIntact(project);
  expect(m.frames).toHaveLength(3);
  expect(m.status).toBe('failed');
  expect(m.error).toMatch(/frame_00003\.png — a folder already exists/);
  await rm(join(project, 'frame_00003.png'), { recursive: true });
  await expectResumedIdentically(project);
}

describe('output folder faults during a zoom', () => {
  it('a full disk (a real one, on a tmpfs): clear error, valid manifest, resume once space is freed', async () => {
    const project = join(disk, 'full');
    // Room for the input, the manifest and about two frames (12 kB each, in 4 kB pages).
    const filler = await fillDisk(disk, 72 << 10);
    const r = await runCli(zoomArgs(project));
    expect(r.code, r.stderr).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.startsWith('reverie zoom: '));
    console.log(`disk full: ${line}`);
    expect(line).toMatch(/^reverie zoom: OutputWriteError: .*(frame_\d+\.png|manifest\.json) — disk full \(ENOSPC/);
    const m = await expectIntact(project);
    expect(m.frames.length).toBeGreaterThan(0);
    await rm(filler);
    await expectResumedIdentically(project);
  });

  it('a folder turned read-only mid-run: clear error, valid manifest, resume once it is writable again', async () => {
    const project = join(disk, 'read-only');
    const run = startCli(zoomArgs(project));
    await run.event((e) => e['type'] === 'frame' && e['index'] === 2);
    await remount(disk, 'ro');
    const r = await run.exit;
    const line = r.stderr.split('\n').find((l) => l.startsWith('reverie zoom: '));
    console.log(`read-only: ${line}`);
    expect(r.code, r.stderr).toBe(1);
    expect(line).toMatch(/OutputWriteError: .*(frame_\d+\.png|manifest\.json) — folder is not writable \(EROFS/);
    const m = await expectIntact(project);
    expect(m.frames.length).toBeGreaterThanOrEqual(3);
    await remount(disk, 'rw');
    await expectResumedIdentically(project);
  });

  it('a folder where a frame should go (EISDIR): clear error naming the frame, resume once it is removed', async () => {
    await blockedFrame('blocked');
  });
});

describe('the RAM disk these tests need', () => {
  it('fails loudly, saying why, where it cannot be mounted', () => {
    expect(() => mountTmpfs(join(root, 'no-such-folder'), 1 << 20)).toThrow(/Cannot mount a tmpfs at .*no-such-folder \(.+\)\. The disk-full and read-only tests need a real one/);
  });
});
