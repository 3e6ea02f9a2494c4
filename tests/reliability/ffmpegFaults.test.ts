// `reverie video` when ffmpeg is missing, fails, is killed mid-encode, or reverie itself is stopped:
// a clear error, no file (broken or not) at the target name, no temp file, and no ffmpeg left running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.ts';
import { table, type Row } from './matrix.ts';
import { isAlive, processesMentioning, runCliWith, startCli, waitUntil } from './processes.ts';

let root: string;
let frames: string;
let out: string;
const FRAMES = 150;

/** 320x240 noise (slow to encode, so there is time to interrupt), five distinct frames repeated. */
async function writeFrames(dir: string, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const noise = async (seed: number): Promise<Buffer> => {
    const b = Buffer.alloc(320 * 240 * 3);
    for (let i = 0, a = seed; i < b.length; i++) b[i] = (a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 24;
    return sharp(b, { raw: { width: 320, height: 240, channels: 3 } }).png().toBuffer();
  };
  const images = await Promise.all([1, 2, 3, 4, 5].map(noise));
  for (let i = 0; i < count; i++) await writeFile(join(dir, `frame_${String(i).padStart(5, '0')}.png`), images[i % 5]!);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-ffmpeg-faults-'));
  frames = join(root, 'frames');
  out = join(root, 'out');
  await mkdir(out);
  await mkdir(join(root, 'tmp'));
  await writeFrames(frames, FRAMES);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** After every case: nothing at all in the output folder, and no process that mentions this test's folder. */
async function expectNothingLeft(): Promise<void> {
  expect(await readdir(out)).toEqual([]);
  await waitUntil('no ffmpeg is left', () => processesMentioning(root).length === 0, 5000).catch(() => undefined);
  expect(processesMentioning(root)).toEqual([]);
}

const firstLine = (stderr: string): string => stderr.split('\n').find((l) => l.startsWith('reverie ')) ?? '(no error line)';
const rows: Row[] = [];
afterAll(() => console.log(table('ffmpeg faults', rows)));

/** A stand-in ffmpeg (a Node script) that writes `content` to its output file, says `complaint`, exits `code`. */
async function fakeFfmpeg(name: string, content: string, complaint: string, code: number): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  const file = join(dir, 'ffmpeg');
  const body = `require('fs').writeFileSync(process.argv.at(-1), ${JSON.stringify(content)}); process.stderr.write(${JSON.stringify(complaint)}); process.exit(${code});`;
  await writeFile(file, `#!${process.execPath}\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('reverie video when ffmpeg is missing or fails', () => {
  it('names what is missing: FFMPEG_PATH to a missing file or a folder, no ffmpeg on PATH, no ffprobe', async () => {
    const target = join(out, 'video.mp4');
    const noExec = join(root, 'not-executable');
    await writeFile(noExec, 'just text');
    const emptyBin = join(root, 'empty bin');
    await mkdir(emptyBin);
    const base = { ...process.env };
    delete base['FFMPEG_PATH'];
    delete base['FFPROBE_PATH'];
    const cases: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
      ['FFMPEG_PATH to a missing file', { ...base, FFMPEG_PATH: join(root, 'no', 'ffmpeg') }, /FfmpegNotFoundError: FFMPEG_PATH is set to ".*no\/ffmpeg", which is not an executable file/],
      ['FFMPEG_PATH to a folder', { ...base, FFMPEG_PATH: emptyBin }, /FfmpegNotFoundError: FFMPEG_PATH is set to ".*empty bin", which is not an executable file/],
      ['FFMPEG_PATH to a non-executable file', { ...base, FFMPEG_PATH: noExec }, /FfmpegNotFoundError: FFMPEG_PATH is set to ".*not-executable", which is not an executable file/],
      ['PATH without ffmpeg', { ...base, PATH: emptyBin }, /FfmpegNotFoundError: ffmpeg was not found \(looked at FFMPEG_PATH, the ffmpeg-static package and PATH\)\. Install ffmpeg/],
      ['ffprobe missing (FFPROBE_PATH)', { ...base, FFMPEG_PATH: '/usr/bin/ffmpeg', FFPROBE_PATH: join(root, 'no', 'ffprobe') }, /FfmpegNotFoundError: FFPROBE_PATH is set to ".*no\/ffprobe"/],
    ];
    for (const [name, env, says] of cases) {
      const r = await runCliWith(['video', frames, '-o', target], env);
      rows.push({ name, code: r.code, line: firstLine(r.stderr), stderr: r.stderr });
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(firstLine(r.stderr), name).toMatch(says);
      expect(r.stderr, name).not.toMatch(/^\s+at /m);
    }
    await expectNothingLeft();
  });

  it('ffmpeg that fails after writing half a file, or exits 0 with garbage, or stops at a corrupt frame: nothing kept', async () => {
    const target = join(out, 'video.mp4');
    const failing = await fakeFfmpeg('failing', 'half a video', 'Error writing trailer: No space left on device\n', 1);
    const liar = await fakeFfmpeg('liar', 'not a video at all', '', 0);
    const broken = join(root, 'broken frames');
    await mkdir(broken);
    for (const name of (await readdir(frames)).slice(0, 30)) await copyFile(join(frames, name), join(broken, name));
    await truncate(join(broken, 'frame_00012.png'), 500);
    const cases: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
      ['ffmpeg exits 1 after writing', ['video', frames, '-o', target], { ...process.env, FFMPEG_PATH: failing, FFPROBE_PATH: '/usr/bin/ffprobe' }, /FfmpegError: ffmpeg exited with code 1 while encoding video\.mp4:/],
      ['ffmpeg exits 0, output is garbage', ['video', frames, '-o', target], { ...process.env, FFMPEG_PATH: liar, FFPROBE_PATH: '/usr/bin/ffprobe' }, /(FfmpegError: ffprobe|VideoVerifyError)/],
      ['frame 12 of 30 truncated (real ffmpeg)', ['video', broken, '-o', target], process.env, /(FfmpegError: ffmpeg exited with code \d+ while encoding video\.mp4|VideoVerifyError)/],
    ];
    for (const [name, args, env, says] of cases) {
      const r = await runCliWith(args, env);
      rows.push({ name, code: r.code, line: firstLine(r.stderr), stderr: r.stderr });
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(firstLine(r.stderr), name).toMatch(says);
      expect(existsSync(target), name).toBe(false);
      await expectNothingLeft();
    }
  });
});

describe('reverie video interrupted mid-encode', () => {
  /** Starts an encode and resolves once ffmpeg has reported progress (it is mid-file). */
  async function encoding(target: string) {
    // Anything a SIGKILLed run leaves in TMPDIR stays under this test's folder.
    const run = startCli(['video', frames, '-o', target, '--json'], { ...process.env, TMPDIR: join(root, 'tmp') });
    const spawned = await run.event((e) => e['type'] === 'ffmpeg');
    await run.event((e) => e['type'] === 'progress' && (e['frame'] as number) > 0 && (e['frame'] as number) < FRAMES);
    return { run, ffmpeg: spawned['pid'] as number };
  }

  it.each(['SIGKILL', 'SIGTERM'] as const)('ffmpeg killed with %s: a clear error, no file, no process', async (signal) => {
    const target = join(out, 'killed.webm');
    const { run, ffmpeg } = await encoding(target);
    process.kill(ffmpeg, signal);
    const r = await run.exit;
    rows.push({ name: `ffmpeg killed with ${signal} mid-encode`, code: r.code ?? -1, line: firstLine(r.stderr), stderr: r.stderr });
    expect(r.code, r.stderr).toBe(1);
    // SIGKILL shows as the signal; ffmpeg catches SIGTERM and exits 255, which the message names as a stop from outside.
    const how = signal === 'SIGKILL' ? 'was killed \\(SIGKILL\\)' : 'was stopped by a signal from outside \\(exit code 255\\)';
    expect(firstLine(r.stderr)).toMatch(new RegExp(`^reverie video: FfmpegError: ffmpeg ${how} while encoding killed\\.webm`));
    expect(isAlive(ffmpeg)).toBe(false);
    await expectNothingLeft();
  });

  it('Ctrl-C: reverie stops ffmpeg, exits 130 and writes nothing', async () => {
    const target = join(out, 'cancelled.webm');
    const { run, ffmpeg } = await encoding(target);
    run.child.kill('SIGINT');
    const r = await run.exit;
    rows.push({ name: 'Ctrl-C (SIGINT) to reverie mid-encode', code: r.code ?? -1, line: r.stderr.trim().split('\n').at(-1)!, stderr: r.stderr });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Cancelled; no output was written\./);
    expect(isAlive(ffmpeg)).toBe(false);
    await expectNothingLeft();
  });

  it('reverie killed with SIGKILL: the target name is never written, and the next encode clears the hidden temp file', async () => {
    const target = join(out, 'orphan.webm');
    const { run, ffmpeg } = await encoding(target);
    run.child.kill('SIGKILL');
    await run.exit;
    // The frames reach ffmpeg through its stdin: reverie's death ends ffmpeg's input, so ffmpeg stops
    // at once instead of encoding on (it ignores SIGPIPE, so only its input ending can stop it).
    const killedAt = Date.now();
    await waitUntil('ffmpeg ends with reverie', () => !isAlive(ffmpeg), 5000);
    const left = await readdir(out);
    rows.push({ name: 'reverie SIGKILLed mid-encode', code: -9, line: `ffmpeg ended ${Date.now() - killedAt} ms after reverie; left: ${left.join(', ')}`, stderr: '' });
    expect(existsSync(target)).toBe(false);
    expect(left).toEqual([expect.stringMatching(/^\.orphan\.partial-\d+-[0-9a-f]+\.webm$/)]);
    expect(processesMentioning(root)).toEqual([]);
    const again = await runCli(['video', frames, '-o', target]);
    expect(again.code, again.stderr).toBe(0);
    expect(await readdir(out)).toEqual(['orphan.webm']);
    await rm(target);
  });
});
