// The output size a video is asked for, resolved against its frames: both sides (frames fitted inside,
// black borders), or one side with the other from the frames' aspect ratio (like ffmpeg's scale=W:-2),
// rounded to an even number where yuv420p needs it. Pure and Node-free: the renderer checks the same rules.

export interface Size {
  width: number;
  height: number;
}

/** What the user asked for: both sides, or one (the other follows the frames' aspect ratio). */
export interface SizeRequest {
  width?: number | null | undefined;
  height?: number | null | undefined;
}

export type SizeFormat = 'mp4' | 'webm' | 'gif';

/** Smaller videos are unreadable and some players refuse them; larger ones exceed H.264's levels. */
export const MIN_VIDEO_SIDE = 16;
export const MAX_VIDEO_SIDE = 8192;

export type ResolvedSize =
  /** `fill`: scale the frames to exactly `size` (its aspect ratio is theirs, to the pixel); otherwise fit inside it. */
  | { ok: true; size: Size; fill: boolean }
  | { ok: false; problem: string };

const given = (v: number | null | undefined): v is number => v !== null && v !== undefined;

function sideProblem(name: 'width' | 'height', v: number): string | null {
  return Number.isInteger(v) && v >= MIN_VIDEO_SIDE && v <= MAX_VIDEO_SIDE ? null : `Video ${name} ${v} must be a whole number from ${MIN_VIDEO_SIDE} to ${MAX_VIDEO_SIDE}.`;
}

/** H.264 and VP9 store colour at half resolution (yuv420p): a side computed for them is rounded to even. */
const evenFor = (format: SizeFormat): boolean => format !== 'gif';

/** The size to encode at for `asked`, given the frames' own size; a problem in the user's words otherwise. */
export function resolveVideoSize(asked: SizeRequest, frame: Size, format: SizeFormat): ResolvedSize {
  const { width, height } = asked;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    const problem = given(v) ? sideProblem(name, v) : null;
    if (problem) return { ok: false, problem };
  }
  if (given(width) && given(height)) {
    if (format === 'mp4' && (width % 2 || height % 2)) {
      return { ok: false, problem: `H.264 (mp4) needs an even width and height; ${width}x${height} is odd. Try ${width + (width % 2)}x${height + (height % 2)}.` };
    }
    return { ok: true, size: { width, height }, fill: false };
  }
  if (!given(width) && !given(height)) return { ok: false, problem: 'Give the video a width, a height, or both.' };
  const [name, side, other, ratio] = given(width) ? (['width', width, 'height', frame.height / frame.width] as const) : (['height', height!, 'width', frame.width / frame.height] as const);
  if (format === 'mp4' && side % 2) return { ok: false, problem: `H.264 (mp4) needs an even ${name}; ${side} is odd. Try ${side - 1} or ${side + 1}.` };
  const exact = side * ratio;
  const derived = evenFor(format) ? Math.max(2, 2 * Math.round(exact / 2)) : Math.max(1, Math.round(exact));
  if (derived < MIN_VIDEO_SIDE || derived > MAX_VIDEO_SIDE) {
    return { ok: false, problem: `A ${name} of ${side} makes the ${other} ${derived} for ${frame.width}x${frame.height} frames; it must be from ${MIN_VIDEO_SIDE} to ${MAX_VIDEO_SIDE}. Give another ${name}, or both sides.` };
  }
  return { ok: true, size: given(width) ? { width, height: derived } : { width: derived, height: side }, fill: true };
}
