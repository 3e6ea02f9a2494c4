// Typed failures at the engine's file boundary. Each names the file and says what the user can do,
// and keeps the underlying library message as `detail` so bug reports stay diagnosable.
import { ReverieError } from '../shared/errors.ts';

export interface IoErrorOptions {
  /** The underlying library/system message, shown in brackets after the reason. */
  detail?: string;
  cause?: unknown;
}

export class ReverieIoError extends ReverieError {
  override name = 'ReverieIoError';
  /** The path (or caller-supplied name) of the file involved. */
  readonly file: string;
  /** The problem in plain words, without the file name. */
  readonly reason: string;
  readonly detail: string | undefined;

  constructor(file: string, reason: string, options: IoErrorOptions = {}) {
    const detail = options.detail === undefined ? '' : ` (${options.detail})`;
    super(`${file} — ${reason}${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = file;
    this.reason = reason;
    this.detail = options.detail;
  }
}

/** The file is (or claims to be) a supported format but cannot be read: empty, truncated, corrupt, missing. */
export class ImageDecodeError extends ReverieIoError {
  override name = 'ImageDecodeError';
}

/** The file is readable but not in a format Reverie accepts (HEIC, SVG, text, …). */
export class UnsupportedImageError extends ReverieIoError {
  override name = 'UnsupportedImageError';
  /** What the file looked like, e.g. 'HEIC', or null when unrecognised. */
  readonly format: string | null;

  constructor(file: string, reason: string, format: string | null, options: IoErrorOptions = {}) {
    super(file, reason, options);
    this.format = format;
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The header declares more pixels than allowed; thrown before any pixel data is decoded. */
export class ImageTooLargeError extends ReverieIoError {
  override name = 'ImageTooLargeError';
  readonly width: number;
  readonly height: number;
  readonly pixels: number;
  readonly limit: number;

  constructor(file: string, width: number, height: number, limit: number, options: IoErrorOptions = {}) {
    const pixels = width * height;
    super(
      file,
      `image is ${width}×${height} = ${count(pixels)} pixels, more than the limit of ${count(limit)} pixels; ` +
        'downscale it before loading',
      options,
    );
    this.width = width;
    this.height = height;
    this.pixels = pixels;
    this.limit = limit;
  }
}

/** Writing an output file failed; the previous file at that path (if any) is left as it was. */
export class OutputWriteError extends ReverieIoError {
  override name = 'OutputWriteError';
  /** The system error code (ENOSPC, EACCES, …) when there was one. */
  readonly code: string | undefined;

  constructor(file: string, reason: string, code: string | undefined, options: IoErrorOptions = {}) {
    super(file, reason, options);
    this.code = code;
  }
}

/** A .npy file is malformed or holds something other than a C-order float array. */
export class NpyFormatError extends ReverieIoError {
  override name = 'NpyFormatError';
}

/** One-line summary of a library error message for `detail` (libvips messages span many lines). */
export function summarizeDetail(err: unknown, max = 300): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = [...new Set(text.split('\n').map((l) => l.trim()))].filter((l) => l !== '' && !/bad seek/.test(l));
  const joined = lines.join('; ');
  return joined.length > max ? `${joined.slice(0, max - 1)}…` : joined;
}
