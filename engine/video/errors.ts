// Typed failures of the video module. Each says what went wrong in the user's words and what to do;
// ffmpeg's own complaint (the last lines of its stderr) rides along so bug reports stay diagnosable.
import { ReverieError } from '../shared/errors.ts';

export class VideoError extends ReverieError {
  override name = 'VideoError';
}

/** No usable ffmpeg (or ffprobe) was found; `tried` lists where we looked, in order. */
export class FfmpegNotFoundError extends VideoError {
  override name = 'FfmpegNotFoundError';
  constructor(
    message: string,
    readonly tried: readonly string[],
  ) {
    super(`${message} Install ffmpeg (Debian/Ubuntu: \`apt-get install ffmpeg\`, macOS: \`brew install ffmpeg\`) or set FFMPEG_PATH (and FFPROBE_PATH) to the executables.`);
  }
}

/** ffmpeg or ffprobe failed: exited non-zero, or was killed from outside. */
export class FfmpegError extends VideoError {
  override name = 'FfmpegError';
  readonly tool: 'ffmpeg' | 'ffprobe';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines ffmpeg wrote to stderr (its complaint), possibly empty. */
  readonly stderrTail: string;

  constructor(what: string, o: { tool: 'ffmpeg' | 'ffprobe'; exitCode: number | null; signal: NodeJS.Signals | null; stderrTail: string }) {
    // ffmpeg catches SIGINT/SIGTERM and exits 255: say it was stopped, not that it failed on its own.
    const how = o.signal ? `was killed (${o.signal})` : o.exitCode === 255 && o.tool === 'ffmpeg' ? 'was stopped by a signal from outside (exit code 255)' : `exited with code ${o.exitCode}`;
    const tail = o.stderrTail.trim();
    super(`${o.tool} ${how} while ${what}${tail ? `:\n${tail}` : ' and printed nothing.'}`);
    this.tool = o.tool;
    this.exitCode = o.exitCode;
    this.signal = o.signal;
    this.stderrTail = tail;
  }
}

/** The caller asked for something we cannot encode (bad fps, size, quality, format, no frames). */
export class VideoOptionsError extends VideoError {
  override name = 'VideoOptionsError';
}

/** A frame file is missing or unreadable; names the frame. */
export class VideoFrameError extends VideoError {
  override name = 'VideoFrameError';
  constructor(
    readonly frame: string,
    readonly index: number,
    reason: string,
  ) {
    super(`Frame ${index} (${frame}) ${reason}`);
  }
}

/** The encoded file did not hold what was asked (frame count, duration, size, codec); it was not kept. */
export class VideoVerifyError extends VideoError {
  override name = 'VideoVerifyError';
}
