// Frame listing (natural order) and the private numbered sequence handed to ffmpeg.
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoFrameError, VideoOptionsError } from './errors.ts';
import { linkFrameSequence, listPngFrames, naturalCompare } from './frames.ts';

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

describe('linkFrameSequence', () => {
  it("links frames (repeats allowed) as 000000.png… and escapes '%' in the temp folder's path", async () => {
    const oddTmp = join(dir, 'tmp 100%d');
    await mkdir(oddTmp);
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = oddTmp;
    try {
      const a = join(dir, 'real a.png');
      const b = join(dir, 'real b.png');
      for (const p of [a, b]) await writeFile(p, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]));
      const seq = await linkFrameSequence([a, b, a]);
      expect(await readdir(seq.dir)).toEqual(['000000.png', '000001.png', '000002.png']);
      expect(readlinkSync(join(seq.dir, '000002.png'))).toBe(a);
      expect(seq.pattern).toBe(join(seq.dir.replace('100%d', '100%%d'), '%06d.png'));
      await seq.dispose();
      expect(existsSync(seq.dir)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
  });

  it('names a missing frame and leaves no temp folder', async () => {
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith(`reverie-frames-${process.pid}-`));
    const err = (await linkFrameSequence([join(dir, 'real a.png'), join(dir, 'gone.png')]).catch((e: unknown) => e)) as VideoFrameError;
    expect(err).toBeInstanceOf(VideoFrameError);
    expect(err.message).toMatch(/^Frame 1 \(.*gone\.png\) does not exist\.$/);
    expect((await readdir(tmpdir())).filter((n) => n.startsWith(`reverie-frames-${process.pid}-`))).toEqual(before);
    await expect(linkFrameSequence([])).rejects.toThrow(/no frames/);
    // frame_1.PNG holds 'x': refused up front, naming the frame, rather than as a decoder error mid-encode
    await expect(linkFrameSequence([join(dir, 'frame_1.PNG')])).rejects.toThrow(/^Frame 0 \(.*frame_1\.PNG\) is not a PNG file/);
    await expect(linkFrameSequence([dir])).rejects.toThrow(/is not a file/);
  });
});
