// A full disk in the middle of a zoom (injected: a real ENOSPC cannot be provoked in a test): the run
// stops with a clear error, the manifest stays valid and lists every frame made, and resuming once
// there is space again gives the same frames as a run that never failed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { embeddedModel } from './helpers/embedded.ts';
import { createZoomProject, runZoomProject } from '../engine/animate/zoomRun.ts';
import { readZoomManifest } from '../engine/project/store.ts';
import { OutputWriteError } from '../engine/io/errors.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import type { DreamModel } from '../engine/shared/model.ts';

const fault = vi.hoisted(() => ({ failOn: null as string | null }));

vi.mock('../engine/io/atomic.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../engine/io/atomic.ts')>();
  const { OutputWriteError: WriteError } = await import('../engine/io/errors.ts');
  return {
    ...real,
    writeFileAtomic: async (path: string, data: Buffer | string) => {
      if (fault.failOn !== null && basename(path) === fault.failOn) throw new WriteError(path, 'disk full', 'ENOSPC', { detail: 'ENOSPC: injected' });
      return real.writeFileAtomic(path, data);
    },
  };
});

let model: DreamModel;
let root: string;
beforeAll(async () => {
  model = await embeddedModel();
  root = await mkdtemp(join(tmpdir(), 'reverie-zoom-fault-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const width = 96;
const height = 80;
const input = { width, height, rgb: Float32Array.from({ length: width * height * 3 }, (_, i) => (i * 7) % 251) };
const recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], steps: 1, octaves: 1 };
const settings = { frames: 5, tween: 0, zoom: 1.06, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0.5, keyframes: null };

async function newProject(name: string): Promise<string> {
  const dir = join(root, name);
  await createZoomProject(dir, { input, source: 'noise.png', recipe, settings, backend: 'wasm', appVersion: 'test' });
  return dir;
}

async function frames(dir: string): Promise<Buffer[]> {
  const m = await readZoomManifest(dir);
  return Promise.all(m.frames.map((f) => sharp(join(dir, f.file)).raw().toBuffer()));
}

describe('a full disk during a zoom', () => {
  it('stops with a clear error when a frame cannot be written, keeps what was made, and resumes identically', async () => {
    const clean = await newProject('clean');
    await runZoomProject(model, clean);
    const expected = await frames(clean);

    const dir = await newProject('frame-fails');
    fault.failOn = 'frame_00003.png';
    const err = await runZoomProject(model, dir).catch((e: unknown) => e);
    fault.failOn = null;
    expect(err).toBeInstanceOf(OutputWriteError);
    expect((err as Error).message).toMatch(/frame_00003\.png — disk full/);
    const m = await readZoomManifest(dir);
    expect(m).toMatchObject({ status: 'failed', pid: null });
    expect(m.error).toMatch(/disk full/);
    expect(m.frames.map((f) => f.file)).toEqual(['frame_00000.png', 'frame_00001.png', 'frame_00002.png']);
    expect((await readdir(dir)).filter((f) => f.startsWith('frame_'))).toHaveLength(3);

    await runZoomProject(model, dir);
    (await frames(dir)).forEach((f, i) => expect(f.equals(expected[i]!), `frame ${i}`).toBe(true));
  });

  it('when even the manifest cannot be written, the previous manifest stays valid and the frame is made again', async () => {
    const clean = await newProject('clean2');
    await runZoomProject(model, clean);
    const expected = await frames(clean);

    const dir = await newProject('manifest-fails');
    let writes = 0;
    const err = await runZoomProject(model, dir, {
      onFrame: () => {
        // After frame 1 is recorded, every later manifest write fails (frame 2's and the status update).
        if (++writes === 2) fault.failOn = 'manifest.json';
      },
    }).catch((e: unknown) => e);
    fault.failOn = null;
    expect(err).toBeInstanceOf(OutputWriteError);
    const m = await readZoomManifest(dir);
    expect(m.status).toBe('running');
    expect(m.frames).toHaveLength(2);
    expect((await readdir(dir)).filter((f) => f.startsWith('frame_'))).toHaveLength(3); // frame 2 on disk, unrecorded

    const resumed = await runZoomProject(model, dir);
    expect(resumed).toMatchObject({ status: 'complete', made: 3 });
    (await frames(dir)).forEach((f, i) => expect(f.equals(expected[i]!), `frame ${i}`).toBe(true));
  });
});
