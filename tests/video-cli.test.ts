// `reverie video` end to end: the real binary, real ffmpeg, frames made with sharp.
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, ffprobeDecoded, redCentroidX, writeMovingSquareFrames, writeNoiseFrame } from './helpers/videoFrames.ts';
import { runCli, spawnCli } from './helpers/cli.ts';

let dir: string;
let frames: string; // 12 frames named frame_0.png … frame_11.png: natural order differs from code order
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-video-cli-'));
  frames = join(dir, 'my frames ü');
  await mkdir(frames);
  await writeMovingSquareFrames(frames, 12, 96, 48, (i) => `frame_${i}.png`);
  await writeFile(join(frames, 'manifest.json'), '{}');
  await writeFile(join(frames, 'notes.txt'), 'not a frame');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Event = { type: string; [k: string]: unknown };
const events = (stdout: string): Event[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);

describe('reverie video', () => {
  it('encodes a folder of frames in natural order with progress and a summary', async () => {
    const out = join(dir, 'zoom.mp4');
    const r = await runCli(['video', frames, '-o', out, '--fps', '24', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({ type: 'ffmpeg', frames: 12 });
    expect(ev.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ fraction: 1, frame: 12, total: 12 });
    expect(ev.at(-1)).toMatchObject({ type: 'done', output: out, frames: 12, width: 96, height: 48, codec: 'h264', fps: 24 });
    expect((ev.at(-1)!['durationS'] as number)).toBeCloseTo(0.5, 2);

    const probed = await ffprobeDecoded(out);
    expect(probed.stream).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', nb_read_frames: '12' });
    const xs = (await decodeFrames(out, 96, 48)).map((f) => redCentroidX(f, 96));
    for (let i = 1; i < 12; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]! + 4); // frame_10 after frame_9, not after frame_1
  });

  it('--size and gif; a terminal run prints one summary line', async () => {
    const out = join(dir, 'small.gif');
    const r = await runCli(['video', frames, '-o', out, '--size', '48x32', '--fps', '10']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`Wrote ${out}: 12 frames, 1.20 s, 48x32 gif`);
    expect((await ffprobeDecoded(out)).stream).toMatchObject({ codec_name: 'gif', width: 48, height: 32, nb_read_frames: '12' });
  });

  it('--width alone takes the height from the frames (96x48 at 200 wide: 100, upscaled as asked)', async () => {
    const out = join(dir, 'wide.webm');
    const r = await runCli(['video', frames, '-o', out, '--width', '200', '--fps', '10']);
    expect(r.code, r.stderr).toBe(0);
    expect((await ffprobeDecoded(out)).stream).toMatchObject({ codec_name: 'vp9', width: 200, height: 100, nb_read_frames: '12' });
  });

  it('gives one clear error for bad input and writes nothing', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const out = join(dir, 'never.mp4');
    // Only what the CLI itself decides; the engine's refusals are tested in engine/video/plan.test.ts.
    const cases: Array<[string[], number, RegExp]> = [
      [['video', frames], 2, /-o OUT\.mp4/],
      [['video', frames, '-o', join(dir, 'x.avi')], 2, /must end in \.mp4, \.webm or \.gif/],
      [['video', frames, '-o', out, '--fps', 'fast'], 2, /--fps expects a number/],
      [['video', empty, '-o', out], 2, /holds no \.png frames/],
      [['video', join(dir, 'nope'), '-o', out], 1, /VideoOptionsError: Cannot read the frame folder .*does not exist/],
      [['video', frames, '-o', join(dir, 'x.gif'), '--quality', '20'], 1, /VideoOptionsError: GIF has no quality/],
      [['video', frames, '-o', out, '--width', '20'], 1, /^reverie video: VideoOptionsError: A width of 20 makes the height 10 for 96x48 frames; it must be from 16 to 8192\. Give another width, or both sides\.\n$/],
      [['video', frames, '-o', out, '--height', '2x'], 2, /--height expects a whole number of pixels/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    cases.forEach(([args, code, message], i) => {
      expect(results[i]!.code, `${args.join(' ')}\n${results[i]!.stderr}`).toBe(code);
      expect(results[i]!.stderr).toMatch(message);
    });
    const saved = process.env['FFMPEG_PATH'];
    process.env['FFMPEG_PATH'] = join(dir, 'no-ffmpeg-here');
    try {
      const r = await runCli(['video', frames, '-o', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/FfmpegNotFoundError: FFMPEG_PATH is set to ".*no-ffmpeg-here".*apt-get install ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env['FFMPEG_PATH'];
      else process.env['FFMPEG_PATH'] = saved;
    }
    expect((await readdir(dir)).filter((f) => /never|x\.(gif|avi)/.test(f))).toEqual([]);
  });

  it('Ctrl-C stops ffmpeg, leaves no file and exits 130', async () => {
    const many = join(dir, 'many');
    await mkdir(many);
    await writeNoiseFrame(join(many, 'f_0.png'));
    for (let i = 1; i < 300; i++) await copyFile(join(many, 'f_0.png'), join(many, `f_${i}.png`));
    const outDir = join(dir, 'cancel-out');
    await mkdir(outDir);
    const child = spawnCli(['video', many, '-o', join(outDir, 'cancelled.webm'), '--json']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let ffmpegPid = 0;
    let pending = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        pending += d.toString();
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const e = JSON.parse(pending.slice(0, nl)) as Event;
          pending = pending.slice(nl + 1);
          if (e.type === 'ffmpeg') ffmpegPid = e['pid'] as number;
          if (e.type === 'progress' && (e['frame'] as number) > 0) resolve();
        }
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/Cancelled; no output was written/);
    expect(await readdir(outDir)).toEqual([]);
    expect(ffmpegPid).toBeGreaterThan(0);
    expect(() => process.kill(ffmpegPid, 0)).toThrow(); // ffmpeg did not outlive the command
  });
});
