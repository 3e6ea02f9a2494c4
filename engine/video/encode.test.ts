// encodeVideo with the real ffmpeg: each format checked by ffprobe decoding every frame, output
// sizes, odd file names, and every way an encode can end badly leaving nothing at the target.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputWriteError } from '../io/errors.ts';
import { encodeVideo, verifyEncoded, type EncodeProgress } from './encode.ts';
import { FfmpegError, FfmpegNotFoundError, VideoFrameError, VideoVerifyError } from './errors.ts';
import { decodeFrames, ffprobeDecoded, redCentroidX, writeMovingSquareFrames, writeNoiseFrame } from '../../tests/helpers/videoFrames.ts';
import { planEncode } from './plan.ts';

let dir: string;
let frames: string[];
let noise: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-video-'));
  await mkdir(join(dir, 'frames'));
  frames = await writeMovingSquareFrames(join(dir, 'frames'), 8, 67, 49);
  noise = join(dir, 'frames', 'noise.png');
  await writeNoiseFrame(noise);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const gone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};
const outDir = async (name: string): Promise<string> => {
  const d = join(dir, name);
  await mkdir(d);
  return d;
};
const ourTempDirs = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith(`reverie-frames-${process.pid}-`));

describe('encodeVideo: formats', () => {
  it.each([
    ['mp4', 'h264', 68, 50, 'yuv420p'],
    ['webm', 'vp9', 67, 49, 'yuv420p'],
    ['gif', 'gif', 67, 49, null],
  ] as const)('%s: ffprobe sees 8 frames of %s at %ix%i, in order', async (format, codec, width, height, pixFmt) => {
    const folder = await outDir(`fmt-${format}`);
    const out = join(folder, `zoom.${format}`);
    const seen: EncodeProgress[] = [];
    const result = await encodeVideo({ frames, out, onProgress: (p) => seen.push(p) });
    expect(result).toMatchObject({ out, format, frames: 8, width, height, codec, fps: 30 });
    expect(result.durationS).toBeCloseTo(8 / 30, 1);

    const probed = await ffprobeDecoded(out);
    expect(probed.stream).toMatchObject({ codec_name: codec, width, height, nb_read_frames: '8' });
    if (pixFmt) expect(probed.stream.pix_fmt).toBe(pixFmt);
    expect(width % 2 === 0 || format !== 'mp4').toBe(true);
    expect(Math.abs(probed.durationS - 8 / 30)).toBeLessThan(0.03);

    // The square moves right by 6 px per frame: the frames are in the order given.
    const xs = (await decodeFrames(out, width, height)).map((f) => redCentroidX(f, width));
    expect(xs).toHaveLength(8);
    for (let i = 1; i < 8; i++) expect(Math.abs(xs[i]! - xs[i - 1]! - 6)).toBeLessThan(1.5); // lossy codecs smear edges a little

    expect(seen.at(-1)).toMatchObject({ frame: 8, total: 8, fraction: 1 });
    expect(seen.map((p) => p.frame)).toEqual([...seen.map((p) => p.frame)].sort((a, b) => a - b));
    expect(await readdir(folder)).toEqual([`zoom.${format}`]); // no temp file left beside it
  });

  it('--size fits the frames inside with black borders; fps sets the duration', async () => {
    const out = join(await outDir('sized'), 'big.mp4');
    const result = await encodeVideo({ frames, out, size: { width: 128, height: 128 }, fps: 12 });
    expect(result).toMatchObject({ width: 128, height: 128, frames: 8 });
    const probed = await ffprobeDecoded(out);
    expect(probed.stream).toMatchObject({ width: 128, height: 128, nb_read_frames: '8' });
    expect(probed.durationS).toBeCloseTo(8 / 12, 1);
    const first = (await decodeFrames(out, 128, 128))[0]!;
    const rowMean = (y: number): number => first.subarray(y * 128 * 3, (y + 1) * 128 * 3).reduce((s, v) => s + v, 0) / (128 * 3);
    expect(rowMean(2)).toBeLessThan(25); // letterbox bar above (frames are 67x49, wider than square)
    expect(rowMean(64)).toBeGreaterThan(60); // the grey picture in the middle
  });

  it("handles spaces, quotes, unicode and '%' in frame names, repeated frames, and replaces an old target", async () => {
    const folder = await outDir("odd 'names' ü");
    const odd = [join(folder, 'a%03d b.png'), join(folder, "it's ü.png"), join(folder, '100%.png')];
    for (let i = 0; i < 3; i++) await copyFile(frames[i]!, odd[i]!);
    const out = join(folder, 'out %d.webm');
    await writeFile(out, 'an older video');
    const result = await encodeVideo({ frames: [...odd, odd[0]!, odd[0]!], out });
    expect(result.frames).toBe(5);
    expect((await ffprobeDecoded(out)).stream.nb_read_frames).toBe('5');
  });

  it('letterboxes frames of another size (a painting between dream frames) to the first frame\'s size', async () => {
    const folder = await outDir('mixed');
    const [wide] = await writeMovingSquareFrames(folder, 1, 200, 60, () => 'wide painting.png');
    const out = join(folder, 'mixed.mp4');
    const result = await encodeVideo({ frames: [frames[0]!, wide!, frames[1]!], out });
    expect(result).toMatchObject({ frames: 3, width: 68, height: 50 });
    const middle = (await decodeFrames(out, 68, 50))[1]!;
    expect(middle.subarray(0, 68 * 3).reduce((s, v) => s + v, 0) / (68 * 3)).toBeLessThan(25); // black bar on top
  });
});

describe('encodeVideo: failures leave nothing at the target', () => {
  const slowFrames = (): string[] => Array.from({ length: 400 }, () => noise);

  it('cancel mid-encode stops ffmpeg, removes the temp file and rejects with AbortError', async () => {
    const folder = await outDir('cancel');
    const out = join(folder, 'cancelled.webm');
    const controller = new AbortController();
    let pid = 0;
    let lastFrame = 0;
    const run = encodeVideo({
      frames: slowFrames(),
      out,
      signal: controller.signal,
      onSpawn: (p) => (pid = p),
      onProgress: (p) => {
        lastFrame = p.frame;
        if (p.frame > 0) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(lastFrame).toBeGreaterThan(0);
    expect(lastFrame).toBeLessThan(400); // it really was mid-run
    expect(gone(pid)).toBe(true);
    expect(await readdir(folder)).toEqual([]);
    expect(await ourTempDirs()).toEqual([]);
  });

  it('ffmpeg killed from outside → FfmpegError; the previous file at the target is untouched', async () => {
    const folder = await outDir('killed');
    const out = join(folder, 'killed.mp4');
    await writeFile(out, 'previous video');
    let pid = 0;
    const err = await encodeVideo({
      frames: slowFrames(),
      out,
      size: { width: 640, height: 480 },
      onSpawn: (p) => (pid = p),
      onProgress: (p) => {
        if (p.frame > 0 && !gone(pid)) process.kill(pid, 'SIGKILL');
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).signal).toBe('SIGKILL');
    expect((err as Error).message).toMatch(/ffmpeg was killed \(SIGKILL\) while encoding killed\.mp4/);
    expect(await readdir(folder)).toEqual(['killed.mp4']);
    expect(await readFile(out, 'utf8')).toBe('previous video');
    expect(await ourTempDirs()).toEqual([]);
  });

  it("a corrupt frame in the list → FfmpegError with ffmpeg's complaint, no target", async () => {
    const folder = await outDir('corrupt');
    const truncated = join(folder, 'truncated.png');
    await writeFile(truncated, (await readFile(frames[3]!)).subarray(0, 120));
    const out = join(folder, 'never.mp4');
    const err = await encodeVideo({ frames: [...frames.slice(0, 3), truncated, ...frames.slice(4)], out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as Error).message).toMatch(/exited with code \d+ while encoding never\.mp4:\n/);
    expect((err as FfmpegError).stderrTail).toMatch(/png|Invalid data|decod/i);
    expect(await readdir(folder)).toEqual(['truncated.png']);
  });

  it('a missing or unreadable frame is named before ffmpeg starts', async () => {
    const folder = await outDir('missing');
    const out = join(folder, 'never.gif');
    await expect(encodeVideo({ frames: [frames[0]!, join(folder, 'gone.png')], out })).rejects.toThrow(/^Frame 1 \(.*gone\.png\) does not exist/);
    const garbage = join(folder, 'garbage.png');
    await writeFile(garbage, 'not a png');
    const err = await encodeVideo({ frames: [garbage], out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoFrameError);
    expect((err as Error).message).toMatch(/garbage\.png\) is not a readable image/);
    await expect(encodeVideo({ frames: [frames[0]!, garbage], out })).rejects.toThrow(/^Frame 1 \(.*garbage\.png\) is not a PNG file/);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing ffmpeg, a missing output folder, and an aborted signal are clear errors', async () => {
    const out = join(dir, 'nowhere', 'x.mp4');
    await expect(encodeVideo({ frames, out: join(dir, 'x.mp4'), ffmpeg: { ffmpeg: '/nowhere/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'FFMPEG_PATH' } })).rejects.toThrow(FfmpegNotFoundError);
    await expect(encodeVideo({ frames, out })).rejects.toThrow(OutputWriteError);
    await expect(encodeVideo({ frames, out })).rejects.toThrow(/folder does not exist/);
    await expect(encodeVideo({ frames, out: join(dir, 'y.mp4'), signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(join(dir, 'x.mp4')) || existsSync(join(dir, 'y.mp4'))).toBe(false);
  });

  it('refuses output that does not hold what was asked', () => {
    const plan = planEncode({ out: 'a.mp4' }, { width: 64, height: 48 });
    const good = { frames: 8, durationS: 8 / 30, width: 64, height: 48, codec: 'h264', pixFmt: 'yuv420p' };
    expect(() => verifyEncoded(good, plan, 8, 'a.mp4')).not.toThrow();
    expect(() => verifyEncoded({ ...good, frames: 7 }, plan, 8, 'a.mp4')).toThrow(VideoVerifyError);
    expect(() => verifyEncoded({ ...good, frames: 7, durationS: 1 }, plan, 8, 'a.mp4')).toThrow(/7 frames instead of 8, 1\.000 s instead of 0\.267 s; it was not kept/);
    expect(() => verifyEncoded({ ...good, pixFmt: 'yuv444p' }, plan, 8, 'a.mp4')).toThrow(/pixel format yuv444p/);
  });
});
