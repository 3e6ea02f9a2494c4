// Frame listing (natural order), the up-front frame check, and the frames' bytes for ffmpeg's stdin.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoFrameError, VideoOptionsError } from './errors.ts';
import { checkPngFrames, frameBytes, listPngFrames, naturalCompare } from './frames.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-frames-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listPngFrames', () => {
  it('sorts naturally and keeps only visible .png files', async () => {
    const names = ['frame_10.png', 'frame_2.png', 'frame_1.PNG', 'frame_100.png', '.hidden.png', 'notes.txt', 'manifest.json'];
    for (const n of names) await writeFile(join(dir, n), 'x');
    await mkdir(join(dir, 'sub.png'));
    expect((await listPngFrames(dir)).map((p) => p.slice(dir.length + 1))).toEqual(['frame_1.PNG', 'frame_2.png', 'frame_10.png', 'frame_100.png']);
  });

  it('says clearly when the folder is missing or a file', async () => {
    await expect(listPngFrames(join(dir, 'nope'))).rejects.toThrow(VideoOptionsError);
    await expect(listPngFrames(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(listPngFrames(join(dir, 'notes.txt'))).rejects.toThrow(/is a file, not a folder/);
  });

  it('compares like a person reads numbers', () => {
    expect(['b9', 'a10', 'a9', 'A1'].sort(naturalCompare)).toEqual(['A1', 'a9', 'a10', 'b9']);
  });
});

describe('checkPngFrames and frameBytes', () => {
  it('reads the frames in order, repeats allowed, whatever their names hold', async () => {
    const a = join(dir, "real a 100%d 'ü'.png");
    const b = join(dir, 'real b.png');
    await writeFile(a, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]));
    await writeFile(b, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 2]));
    await checkPngFrames([a, b, a]);
    const read: number[] = [];
    for await (const data of frameBytes([a, b, a])) read.push(data.at(-1)!);
    expect(read).toEqual([1, 2, 1]);
  });

  it('names a missing, non-PNG or non-file frame up front, and one that disappears mid-encode', async () => {
    const a = join(dir, 'real b.png');
    const err = (await checkPngFrames([a, join(dir, 'gone.png')]).catch((e: unknown) => e)) as VideoFrameError;
    expect(err).toBeInstanceOf(VideoFrameError);
    expect(err.message).toMatch(/^Frame 1 \(.*gone\.png\) does not exist\.$/);
    await expect(checkPngFrames([])).rejects.toThrow(/no frames/);
    // frame_1.PNG holds 'x': refused up front, naming the frame, rather than as a decoder error mid-encode
    await expect(checkPngFrames([join(dir, 'frame_1.PNG')])).rejects.toThrow(/^Frame 0 \(.*frame_1\.PNG\) is not a PNG file/);
    await expect(checkPngFrames([dir])).rejects.toThrow(/is not a file/);
    const reading = async (): Promise<void> => {
      for await (const data of frameBytes([a, join(dir, 'gone.png')])) expect(data.length).toBeGreaterThan(0);
    };
    await expect(reading()).rejects.toThrow(/^Frame 1 \(.*gone\.png\) disappeared during the encode\.$/);
  });
});
