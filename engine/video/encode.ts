// encodeVideo: ordered PNG frames → mp4 / webm / gif. ffmpeg writes a temp file beside the target
// (same extension), which is probed and only renamed to the target when it holds exactly the frames
// and duration asked for. Failure or cancel removes the temp file, so the target is never broken.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat, access, constants } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { isProcessAlive, writeFailureReason } from '../io/atomic.ts';
import { OutputWriteError } from '../io/errors.ts';
import { EXPECTED_CODEC, encodeArgs, type VideoFormat } from './args.ts';
import { VideoFrameError, VideoVerifyError } from './errors.ts';
import { checkPngFrames, frameBytes } from './frames.ts';
import { locateFfmpeg, type FfmpegPaths } from './locate.ts';
import { planEncode, type EncodePlan, type Size, type SizeRequest } from './plan.ts';
import { probeVideo, type VideoProbe } from './probe.ts';
import { parseFfmpegProgress, type FfmpegProgressState } from './progress.ts';
import { runFfmpeg } from './run.ts';

export type { VideoFormat } from './args.ts';

export interface EncodeProgress {
  frame: number;
  total: number;
  fraction: number;
  etaMs: number | null;
}

export interface EncodeOptions {
  /** Ordered PNG paths; the same path may appear more than once (a held frame). */
  frames: readonly string[];
  out: string;
  /** Frames per second (default 30; GIF at most 50). */
  fps?: number;
  /** CRF: mp4 0..51 (default 18), webm 0..63 (default 31); not allowed for gif. */
  quality?: number;
  /** Output size: both sides (frames fitted inside, aspect kept, black borders), or one side (the other
   * from frame 0's aspect ratio, frames scaled to fill it). Default: frame 0's size. */
  size?: SizeRequest | null;
  /** Default: from out's extension (.mp4/.m4v, .webm, .gif). */
  format?: VideoFormat;
  signal?: AbortSignal;
  onProgress?: (p: EncodeProgress) => void;
  /** Default: locateFfmpeg(). */
  ffmpeg?: FfmpegPaths;
  /** Called with ffmpeg's pid once it runs (for tests and process monitors). */
  onSpawn?: (pid: number) => void;
}

/** What ffprobe read back from the finished file, with where it went and how it was asked for. */
export interface EncodedVideo extends VideoProbe {
  out: string;
  format: VideoFormat;
  fps: number;
}

async function frameSize(path: string): Promise<Size> {
  try {
    const m = await sharp(path).metadata();
    if (m.width && m.height) return { width: m.width, height: m.height };
    throw new Error('no size in its header');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VideoFrameError(path, 0, code === 'ENOENT' ? 'does not exist.' : `is not a readable image (${err instanceof Error ? err.message : String(err)}).`);
  }
}

async function checkTarget(out: string): Promise<void> {
  try {
    await access(dirname(out), constants.W_OK);
    const existing = await stat(out).catch(() => null);
    if (existing?.isDirectory()) throw Object.assign(new Error(`${out} is a folder`), { code: 'EISDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OutputWriteError(out, writeFailureReason(code), code, { detail: (err as Error).message, cause: err });
  }
}

export function verifyEncoded(probe: VideoProbe, plan: EncodePlan, frames: number, out: string): void {
  const expectedS = frames / plan.fps;
  const problems: string[] = [];
  if (probe.frames !== frames) problems.push(`${probe.frames} frames instead of ${frames}`);
  // GIF delays are whole centiseconds and webm timestamps whole milliseconds: allow half a frame.
  if (Math.abs(probe.durationS - expectedS) > 0.5 / plan.fps + 0.02) problems.push(`${probe.durationS.toFixed(3)} s instead of ${expectedS.toFixed(3)} s`);
  if (probe.width !== plan.canvas.width || probe.height !== plan.canvas.height) problems.push(`${probe.width}x${probe.height} instead of ${plan.canvas.width}x${plan.canvas.height}`);
  if (probe.codec !== EXPECTED_CODEC[plan.format]) problems.push(`codec ${probe.codec} instead of ${EXPECTED_CODEC[plan.format]}`);
  if (plan.format === 'mp4' && probe.pixFmt !== 'yuv420p') problems.push(`pixel format ${probe.pixFmt} instead of yuv420p`);
  if (problems.length > 0) throw new VideoVerifyError(`ffmpeg's output for ${out} has ${problems.join(', ')}; it was not kept.`);
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A writer killed outright (SIGKILL, power cut) cannot remove its temp file; the next encode of the
 * same target removes those whose process is gone (an orphaned ffmpeg may still write one: harmless). */
async function removeStalePartials(out: string): Promise<void> {
  const ext = extname(out);
  const prefix = `.${basename(out, ext)}.partial-`;
  for (const name of await readdir(dirname(out)).catch(() => [] as string[])) {
    const pid = name.startsWith(prefix) && name.endsWith(ext) ? /^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length, name.length - ext.length))?.[1] : undefined;
    if (pid !== undefined && !isProcessAlive(Number(pid))) await rm(join(dirname(out), name), { force: true });
  }
}

export async function encodeVideo(opts: EncodeOptions): Promise<EncodedVideo> {
  const { signal, frames } = opts;
  signal?.throwIfAborted();
  const out = resolve(opts.out);
  const plan = planEncode({ ...opts, out }, frames.length > 0 ? await frameSize(resolve(frames[0]!)) : { width: 2, height: 2 });
  const tools = opts.ffmpeg ?? (await locateFfmpeg());
  await checkTarget(out);
  await checkPngFrames(frames, signal);
  await removeStalePartials(out);
  const ext = extname(out);
  const temp = join(dirname(out), `.${basename(out, ext)}.partial-${process.pid}-${randomBytes(4).toString('hex')}${ext}`);
  let kept = false;
  try {
    const started = performance.now();
    let state: FfmpegProgressState | undefined;
    const total = frames.length;
    // The frames go through ffmpeg's stdin: if this process dies (even by SIGKILL), ffmpeg's input
    // ends with it, so ffmpeg stops instead of encoding on without us.
    await runFfmpeg(tools.ffmpeg, encodeArgs({ ...plan, frames: total, out: temp }), {
      signal,
      feed: () => frameBytes(frames),
      what: `encoding ${basename(out)}`,
      onSpawn: opts.onSpawn,
      onStdout: (chunk) => {
        if (signal?.aborted) return; // stopping: no more progress
        const parsed = parseFfmpegProgress(chunk, state);
        state = parsed.state;
        for (const u of parsed.updates) {
          if (u.frame === null) continue;
          const frame = Math.min(u.frame, total);
          const elapsed = performance.now() - started;
          const etaMs = frame > 0 ? (elapsed * (total - frame)) / frame : null;
          opts.onProgress?.({ frame, total, fraction: frame / total, etaMs });
        }
      },
    });
    signal?.throwIfAborted();
    const probe = await probeVideo(temp, tools, signal);
    verifyEncoded(probe, plan, total, out);
    await syncFile(temp);
    signal?.throwIfAborted();
    try {
      await rename(temp, out);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new OutputWriteError(out, writeFailureReason(code), code, { detail: (err as Error).message, cause: err });
    }
    kept = true;
    return { out, format: plan.format, frames: probe.frames, durationS: probe.durationS, width: probe.width, height: probe.height, codec: probe.codec, pixFmt: probe.pixFmt, fps: plan.fps };
  } finally {
    if (!kept) await rm(temp, { force: true }).catch(() => undefined);
  }
}
