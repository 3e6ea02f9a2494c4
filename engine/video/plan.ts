// Turns the caller's encode options into a checked plan: format, fps, CRF, and the output geometry.
// Pure, so every refusal (odd mp4 size, GIF at 60 fps, CRF out of range) is tested without ffmpeg.
import { DEFAULT_FPS, DEFAULT_QUALITY, MAX_FPS, QUALITY_RANGE, type VideoFormat } from './args.ts';
import { VideoOptionsError } from './errors.ts';
import { resolveVideoSize, type Size, type SizeRequest } from './size.ts';

/** The lower-cased extension with its dot, as node:path's extname gives it (the renderer runs this too, so no node:). */
function extensionOf(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

export type { Size, SizeRequest } from './size.ts';

export interface EncodePlanInput {
  out: string;
  fps?: number | undefined;
  quality?: number | undefined;
  /** Both sides (frames fitted inside), or one (the other from frame 0's aspect ratio); null: frame 0's size. */
  size?: SizeRequest | null | undefined;
  format?: VideoFormat | undefined;
}

export interface EncodePlan {
  format: VideoFormat;
  fps: number;
  quality: number;
  /** Frames are scaled to fit inside `box`, then centred on a `canvas`-sized black frame. */
  box: Size;
  canvas: Size;
  /** Scale frames to exactly `box` (one side was asked for, the other follows their aspect ratio). */
  fill: boolean;
}

const EXTENSIONS: Readonly<Record<string, VideoFormat>> = { '.mp4': 'mp4', '.m4v': 'mp4', '.webm': 'webm', '.gif': 'gif' };
export const MAX_SIDE = 16384;

export function formatFromPath(path: string): VideoFormat | null {
  return EXTENSIONS[extensionOf(path)] ?? null;
}

/** "640x480" → {width: 640, height: 480}; anything else (or a side outside 16..8192) is a VideoOptionsError. */
export function parseSize(text: string): Size {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new VideoOptionsError(`Size "${text}" should look like 1280x720 (width x height in pixels).`);
  const size = { width: Number(m[1]), height: Number(m[2]) };
  const checked = resolveVideoSize(size, size, 'webm');
  if (!checked.ok) throw new VideoOptionsError(checked.problem);
  return size;
}

/** The frames' own size (used when none is asked for). */
function checkSize(size: Size): Size {
  for (const [name, v] of [['width', size.width], ['height', size.height]] as const) {
    if (!Number.isInteger(v) || v < 2 || v > MAX_SIDE) throw new VideoOptionsError(`Frame ${name} ${v} must be a whole number from 2 to ${MAX_SIDE}.`);
  }
  return size;
}

/** `firstFrame` is the size of frame 0; it sets the output size when none is asked for. */
export function planEncode(o: EncodePlanInput, firstFrame: Size): EncodePlan {
  const format = o.format ?? formatFromPath(o.out);
  if (!format) throw new VideoOptionsError(`Cannot tell the video format from "${o.out}": name it .mp4, .webm or .gif.`);
  if (!['mp4', 'webm', 'gif'].includes(format)) throw new VideoOptionsError(`Unknown video format "${String(format)}": use mp4, webm or gif.`);

  const fps = o.fps ?? DEFAULT_FPS;
  if (!Number.isFinite(fps) || fps <= 0 || fps > MAX_FPS[format]) {
    const why = format === 'gif' ? ' (GIF frame delays are whole hundredths of a second and viewers slow anything faster than 50 fps)' : '';
    throw new VideoOptionsError(`Frame rate ${fps} must be above 0 and at most ${MAX_FPS[format]} for ${format}${why}.`);
  }

  let quality = 0;
  if (format === 'gif') {
    if (o.quality !== undefined) throw new VideoOptionsError('GIF has no quality (CRF) setting: its palette is generated from the frames. Leave quality out.');
  } else {
    quality = o.quality ?? DEFAULT_QUALITY[format];
    const [lo, hi] = QUALITY_RANGE[format];
    if (!Number.isInteger(quality) || quality < lo || quality > hi) {
      throw new VideoOptionsError(`Quality (CRF) ${quality} must be a whole number from ${lo} (best) to ${hi} (smallest) for ${format}.`);
    }
  }

  if (o.size) {
    const asked = resolveVideoSize(o.size, firstFrame, format);
    if (!asked.ok) throw new VideoOptionsError(asked.problem);
    return { format, fps, quality, box: asked.size, canvas: asked.size, fill: asked.fill };
  }
  // Keep the frames' own size; mp4 pads odd sides by one black pixel rather than resampling every frame.
  const box = checkSize(firstFrame);
  const canvas = format === 'mp4' ? { width: box.width + (box.width % 2), height: box.height + (box.height % 2) } : box;
  return { format, fps, quality, box, canvas, fill: false };
}
