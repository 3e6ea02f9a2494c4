// probeVideo against files made directly by ffmpeg (not by our encoder), and against non-videos.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError, FfmpegNotFoundError } from './errors.ts';
import { probeVideo } from './probe.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-probe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('probeVideo', () => {
  it('reports frames, duration, size, codec and pixel format', async () => {
    const out = join(dir, 'ten.webm');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-frames:v', '10', '-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', out]);
    const p = await probeVideo(out);
    expect(p).toMatchObject({ frames: 10, width: 64, height: 48, codec: 'vp9', pixFmt: 'yuv420p' });
    expect(p.durationS).toBeCloseTo(1, 2);
  });

  it('turns ffprobe failures into FfmpegError with its complaint, and a missing ffprobe into FfmpegNotFoundError', async () => {
    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'this is not a video');
    const err = (await probeVideo(text).catch((e: unknown) => e)) as FfmpegError;
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err.tool).toBe('ffprobe');
    expect(err.message).toMatch(/^ffprobe exited with code 1 while probing .*notes\.mp4:\n[^]*Invalid data found/);
    await expect(probeVideo(text, { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/nowhere/ffprobe', source: 'FFMPEG_PATH' })).rejects.toThrow(FfmpegNotFoundError);
  });
});
