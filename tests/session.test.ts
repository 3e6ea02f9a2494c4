// Painting ping-pong through the CLI with the real model and real ffmpeg: two rounds (the second
// painting at another size), a pick, and a video whose frames ffprobe counts and whose order we check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { runCli, spawnCli, writeTestImage } from './helpers/cli.ts';
import { readSessionManifest, readZoomManifest } from '../engine/project/store.ts';

const run = promisify(execFile);
let dir: string;
let session: string;
let painting1: string;
let painting2: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-session-'));
  session = join(dir, 'my session');
  painting1 = join(dir, 'painting1.png');
  painting2 = join(dir, 'painting2.png');
  await writeTestImage(painting1, 96, 80);
  // The second painting: mostly blue, and another size than the first.
  const w = 120;
  const h = 100;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([20, 40 + (i % w), 230], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(painting2);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ok = async (args: string[]): Promise<string> => {
  const r = await runCli(args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout + r.stderr;
};

/** Every decoded video frame as RGB (ffmpeg to raw rgb24). */
async function videoFrames(path: string, width: number, height: number): Promise<Buffer[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 1 << 28 });
  const size = width * height * 3;
  return Array.from({ length: stdout.length / size }, (_, i) => stdout.subarray(i * size, (i + 1) * size));
}

const meanAbsDiff = (a: Buffer, b: Buffer): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('reverie session', () => {
  it('runs two rounds and compiles them in order: painting, its frames up to the pick, next painting', async () => {
    const small = ['--steps', '1', '--layers', 'mixed2', '--zoom', '1.1', '--backend', 'wasm'];
    await ok(['session', 'new', session, '--from', painting1, ...small]);
    await ok(['session', 'dream', session, '--frames', '3', '--backend', 'wasm']);
    const bad = await runCli(['session', 'pick', session, '7']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/round 1 has frames 0-2; cannot pick frame 7/);
    expect(await ok(['session', 'pick', session, '1'])).toMatch(/Picked frame 1 of round 1/);
    await ok(['session', 'add', session, painting2]);
    await ok(['session', 'dream', session, '--frames', '2', '--backend', 'wasm']);

    const m = await readSessionManifest(session);
    expect(m.rounds.map((r) => [r.number, r.source, r.picked])).toEqual([
      [1, 'painting1.png', 1],
      [2, 'painting2.png', null],
    ]);
    expect((await readZoomManifest(join(session, m.rounds[1]!.dream))).input).toMatchObject({ width: 120, height: 100 });
    const shown = JSON.parse(await runCli(['session', 'show', session, '--json']).then((r) => r.stdout)) as { rounds: Array<{ frames: number }> };
    expect(shown.rounds.map((r) => r.frames)).toEqual([3, 2]);

    const video = join(dir, 'session.mp4');
    const out = await ok(['session', 'video', session, '-o', video, '--crossfade', '2', '--fps', '10']);
    // Round 1: painting + frames 0-1 (picked 1); round 2: painting + 2 frames; 3 cuts x 2 crossfades.
    const expected = 1 + 2 + 1 + 2 + 3 * 2;
    expect(out).toMatch(new RegExp(`${expected} frames \\(2 painting, 4 dream, 6 crossfade\\)`));
    const probe = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height,codec_name', '-of', 'json', video]);
    const stream = (JSON.parse(probe.stdout) as { streams: Array<{ nb_read_frames: string; width: number; height: number; codec_name: string }> }).streams[0]!;
    expect(stream).toMatchObject({ nb_read_frames: String(expected), width: 96, height: 80, codec_name: 'h264' });

    const frames = await videoFrames(video, 96, 80);
    expect(frames).toHaveLength(expected);
    const raw = (path: string): Promise<Buffer> => sharp(path).resize(96, 80, { fit: 'contain', background: '#000' }).removeAlpha().raw().toBuffer();
    const round1 = join(session, m.rounds[0]!.dream);
    const round2 = join(session, m.rounds[1]!.dream);
    // Order: p1, 2 fades, f0, f1, 2 fades, p2, 2 fades, g0, g1.
    const order: Array<[number, string]> = [
      [0, painting1],
      [3, join(round1, 'frame_00000.png')],
      [4, join(round1, 'frame_00001.png')],
      [7, painting2],
      [10, join(round2, 'frame_00000.png')],
      [11, join(round2, 'frame_00001.png')],
    ];
    for (const [index, path] of order) expect(meanAbsDiff(frames[index]!, await raw(path)), `video frame ${index} is ${path}`).toBeLessThan(6);
    // A crossfade frame sits between its neighbours.
    const [a, fade, b] = [frames[4]!, frames[5]!, frames[7]!];
    expect(meanAbsDiff(fade, a)).toBeLessThan(meanAbsDiff(a, b));
    expect(meanAbsDiff(fade, b)).toBeLessThan(meanAbsDiff(a, b));
  });

  it('scales the session video on request: --width keeps the aspect ratio at an even height, --height upscales; bad sizes write nothing', async () => {
    const expected = 1 + 2 + 1 + 2 + 3 * 2;
    const probe = async (path: string): Promise<Record<string, unknown>> => {
      const r = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height,codec_name,pix_fmt', '-of', 'json', path]);
      return (JSON.parse(r.stdout) as { streams: Array<Record<string, unknown>> }).streams[0]!;
    };
    // 96x80 at width 64 is 64x53.3: the nearest even height, 54, and the frames fill it (no black rows).
    const small = join(dir, 'small.mp4');
    expect(await ok(['session', 'video', session, '-o', small, '--crossfade', '2', '--fps', '10', '--width', '64'])).toMatch(/, 64x54 h264/);
    expect(await probe(small)).toMatchObject({ nb_read_frames: String(expected), width: 64, height: 54, codec_name: 'h264', pix_fmt: 'yuv420p' });
    const first = (await videoFrames(small, 64, 54))[0]!;
    expect(meanAbsDiff(first, await sharp(painting1).resize(64, 54, { fit: 'fill' }).removeAlpha().raw().toBuffer())).toBeLessThan(6);

    // Asked for explicitly, a larger size is made (192x160 from 96x80).
    const big = join(dir, 'big.webm');
    await ok(['session', 'video', session, '-o', big, '--fps', '10', '--height', '160']);
    expect(await probe(big)).toMatchObject({ nb_read_frames: String(1 + 2 + 1 + 2), width: 192, height: 160, codec_name: 'vp9' });

    const cases: Array<[string[], number, RegExp]> = [
      [['--width', '8'], 1, /^reverie session: VideoOptionsError: Video width 8 must be a whole number from 16 to 8192\.$/],
      [['--width', '65'], 1, /^reverie session: VideoOptionsError: H\.264 \(mp4\) needs an even width; 65 is odd\. Try 64 or 66\.$/],
      [['--size', '9000x100'], 1, /Video width 9000 must be a whole number from 16 to 8192\.$/],
      [['--size', '64x47'], 1, /even width and height; 64x47 is odd\. Try 64x48\.$/],
      [['--size', '64'], 1, /Size "64" should look like 1280x720/],
      [['--width', 'wide'], 2, /^reverie session: --width expects a whole number of pixels from 16 to 8192, got "wide"\.$/],
      [['--size', '64x48', '--width', '64'], 2, /either --size WxH or --width\/--height, not both/],
    ];
    for (const [flags, code, message] of cases) {
      const out = join(dir, 'refused.mp4');
      const r = await runCli(['session', 'video', session, '-o', out, ...flags]);
      expect(r.code, `${flags.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(r.stderr.trim(), flags.join(' ')).toMatch(message);
      expect((await readdir(dir)).filter((f) => f.includes('refused')), flags.join(' ')).toEqual([]);
    }
  });

  it('dreams until Ctrl-C without --frames (exit 0); with --frames, Ctrl-C cancels and resume finishes the round', async () => {
    const s = join(dir, 'endless');
    await ok(['session', 'new', s, '--from', painting1, '--steps', '3', '--layers', 'mixed3', '--backend', 'wasm']);
    const interrupt = async (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => {
      const child = spawnCli(args);
      let stdout = '';
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) =>
        child.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('"type":"frame"')) resolve();
        }),
      );
      child.kill('SIGINT');
      return { code: await exit, stdout, stderr };
    };
    const endless = await interrupt(['session', 'dream', s, '--backend', 'wasm', '--json']);
    expect(endless.code, endless.stderr).toBe(0);
    const done = JSON.parse(endless.stdout.trim().split('\n').at(-1)!) as { type: string; frames: number };
    expect(done.type).toBe('done');
    expect(done.frames).toBeGreaterThanOrEqual(1);

    const counted = await interrupt(['session', 'dream', s, '--frames', '8', '--backend', 'wasm', '--json']);
    expect(counted.code).toBe(130);
    expect(counted.stderr).toMatch(/Cancelled; round 1 keeps its \d+ frames/);
    const resumed = await runCli(['resume', s, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const round = join(s, (await readSessionManifest(s)).rounds[0]!.dream);
    expect((await readZoomManifest(round)).frames).toHaveLength(done.frames + 8);
  });

  it('gives clear errors for misuse', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['session', 'new', join(dir, 'x')], 2, /--from painting\.png/],
      [['session', 'new', session, '--from', painting1], 1, /is not empty; choose a new folder/],
      [['session', 'dream', dir], 1, /has no manifest\.json: it is not a Reverie project/],
      [['session', 'fly', session], 2, /Unknown session command "fly"/],
      [['session', 'video', session, '-o', join(dir, 'v.avi')], 2, /must end in \.mp4, \.webm or \.gif/],
      [['session', 'pick', session, 'two'], 2, /Name the frame number/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
