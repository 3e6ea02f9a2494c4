// Project folders without the model: manifest validation, the on-disk format, missing frames, stale
// temp files and the busy check.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RECIPE } from '../recipe/recipe.ts';
import { MANIFEST_VERSION, parseManifest, type ZoomManifest } from './manifest.ts';
import { ManifestError, MissingFrameError, ProjectBusyError } from './errors.ts';
import { assertNotBusy, checkFramesOnDisk, frameFileName, manifestText, readManifest, readRecordedFrame, removeStaleTemps, sha256, writeFrame, writeManifest } from './store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-project-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const params = { zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, steps: 1, stepSize: 1.5, blend: 0, anchorColors: 0, layers: [{ name: 'mixed3', weight: 1 }], channels: [] };

function manifest(frames: number): ZoomManifest {
  return {
    version: MANIFEST_VERSION,
    kind: 'zoom',
    app: 'reverie',
    appVersion: '0.1.0',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    status: 'running',
    pid: null,
    error: null,
    backend: 'wasm',
    input: { file: 'input.png', source: 'in.png', width: 4, height: 4 },
    seed: 0,
    recipe: DEFAULT_RECIPE,
    settings: { frames: 10, tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: { version: 1, interpolation: 'linear', keys: [{ frame: 3, zoom: 1.1 }] } },
    anchor: null,
    frames: Array.from({ length: frames }, (_, i) => ({ index: i, file: frameFileName(i), kind: 'dream' as const, status: 'done' as const, seed: i, params, sha256: sha256(Buffer.from(`frame ${i}`)), ms: 1 })),
  };
}

async function writeFrames(m: ZoomManifest): Promise<void> {
  for (const f of m.frames) await writeFrame(dir, f.index, Buffer.from(`frame ${f.index}`));
}

describe('manifest', () => {
  it('round-trips through disk as valid JSON, one line per frame', async () => {
    const m = manifest(3);
    await writeManifest(dir, m);
    const text = manifestText(m);
    expect(text.split('\n').filter((l) => l.includes('"sha256"'))).toHaveLength(3);
    const back = (await readManifest(dir)) as ZoomManifest;
    expect(back).toEqual(JSON.parse(text));
    expect(back.frames.map((f) => f.file)).toEqual(['frame_00000.png', 'frame_00001.png', 'frame_00002.png']);
    expect(back.settings.keyframes?.keys[0]).toEqual({ frame: 3, zoom: 1.1 });
  });

  it('names what is wrong with a damaged or foreign manifest', async () => {
    await expect(readManifest(dir)).rejects.toThrow(/has no manifest\.json: it is not a Reverie project/);
    await writeFile(join(dir, 'manifest.json'), '{"version": 1, "kind": "zo');
    await expect(readManifest(dir)).rejects.toThrow(/manifest\.json is not valid JSON/);
    const good = JSON.parse(manifestText(manifest(2))) as Record<string, unknown>;
    const bad: Array<[(m: Record<string, unknown>) => void, RegExp]> = [
      [(m) => (m['version'] = 9), /version 9; this Reverie reads version 1/],
      [(m) => (m['kind'] = 'movie'), /kind "movie"; expected "zoom" or "session"/],
      [(m) => (m['status'] = 'sleeping'), /unknown status "sleeping"/],
      [(m) => ((m['frames'] as Array<Record<string, unknown>>)[1]!['index'] = 5), /frames\[1\] has index 5/],
      [(m) => ((m['frames'] as Array<Record<string, unknown>>)[0]!['file'] = '../x.png'), /frames\[0\]\.file is not a plain file name/],
      [(m) => ((m['recipe'] as Record<string, unknown>)['steps'] = -1), /damaged: .*"steps" must be between 0/],
      [(m) => ((m['settings'] as Record<string, unknown>)['zoom'] = 'fast'), /"zoom" must be a number/],
    ];
    for (const [spoil, message] of bad) {
      const copy = structuredClone(good);
      spoil(copy);
      expect(() => parseManifest(dir, copy)).toThrow(ManifestError);
      expect(() => parseManifest(dir, copy)).toThrow(message);
    }
  });
});

describe('frames on disk', () => {
  it('names a deleted middle frame and the last intact frame before it', async () => {
    const m = manifest(5);
    await writeFrames(m);
    await checkFramesOnDisk(dir, m);
    await rm(join(dir, 'frame_00002.png'));
    const err = (await checkFramesOnDisk(dir, m).catch((e: unknown) => e)) as MissingFrameError;
    expect(err).toBeInstanceOf(MissingFrameError);
    expect(err.missing).toEqual([2]);
    expect(err.lastIntact).toBe(1);
    expect(err.message).toMatch(/frame_00002\.png \(frame 2\) is missing; the other 4 frames are intact\. .*--rerender-from 1/);
  });

  it('refuses a frame whose bytes changed since the manifest recorded it', async () => {
    const m = manifest(2);
    await writeFrames(m);
    expect((await readRecordedFrame(dir, m, 1)).toString()).toBe('frame 1');
    await writeFile(join(dir, 'frame_00001.png'), 'edited');
    await expect(readRecordedFrame(dir, m, 1)).rejects.toThrow(/frame_00001\.png \(frame 1\) was changed since it was rendered.*--rerender-from 0/);
  });

  it('removes temp files a killed writer left, and nothing else', async () => {
    await writeFile(join(dir, '.frame_00003.png.1234.a1b2c3d4e5f6.tmp'), 'partial');
    await writeFile(join(dir, '.manifest.json.99.00ff00ff00ff.tmp'), 'partial');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await removeStaleTemps(dir);
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('refuses a project a live process is writing, not one whose writer died', () => {
    const m = manifest(0);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(() => assertNotBusy(dir, { ...m, pid: dead })).not.toThrow();
    expect(() => assertNotBusy(dir, { ...m, pid: process.pid })).not.toThrow();
    expect(() => assertNotBusy(dir, { ...m, pid: process.ppid })).toThrow(ProjectBusyError);
    expect(() => assertNotBusy(dir, { ...m, pid: process.ppid, status: 'cancelled' })).not.toThrow();
  });
});
