// The typed ffmpeg argument builder: one pure function from what to encode to an argument array.
// Per format: mp4 = H.264 yuv420p (even sizes, faststart), webm = VP9 constant quality (CRF, -b:v 0),
// gif = a palette generated from the frames themselves (palettegen + paletteuse in one graph).

export type VideoFormat = 'mp4' | 'webm' | 'gif';

export const DEFAULT_FPS = 30;
/** CRF defaults: visually near-lossless H.264; the VP9 value YouTube suggests for HD. */
export const DEFAULT_QUALITY: Readonly<Record<'mp4' | 'webm', number>> = { mp4: 18, webm: 31 };
export const QUALITY_RANGE: Readonly<Record<'mp4' | 'webm', readonly [number, number]>> = { mp4: [0, 51], webm: [0, 63] };
/** GIF delays are whole centiseconds and viewers treat < 2 cs as 10 cs, so 50 fps is the ceiling. */
export const MAX_FPS: Readonly<Record<VideoFormat, number>> = { mp4: 240, webm: 240, gif: 50 };
export const EXPECTED_CODEC: Readonly<Record<VideoFormat, string>> = { mp4: 'h264', webm: 'vp9', gif: 'gif' };

export interface EncodeArgsInput {
  /** Frames in all: the PNGs come one after another on ffmpeg's stdin (png_pipe), whose end ends the
   * input, so ffmpeg stops when the process feeding it dies. */
  frames: number;
  fps: number;
  format: VideoFormat;
  /** CRF for mp4/webm; ignored for gif. */
  quality: number;
  /** Each frame is scaled to fit inside `box` keeping its aspect ratio... */
  box: { width: number; height: number };
  /** ...and centred on a black `canvas` of exactly this size (the output size). */
  canvas: { width: number; height: number };
  /** Scale to exactly `box` instead (its aspect ratio is the frames', rounded to even pixels). */
  fill?: boolean;
  out: string;
}

export function encodeArgs(a: EncodeArgsInput): string[] {
  const fps = String(a.fps);
  const { width: bw, height: bh } = a.box;
  const { width: cw, height: ch } = a.canvas;
  const fit = a.fill
    ? `scale=${bw}:${bh}:flags=lanczos,format=rgb24,setsar=1`
    : `scale=${bw}:${bh}:force_original_aspect_ratio=decrease:flags=lanczos,format=rgb24,pad=${cw}:${ch}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`;
  const input = [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    '-progress', 'pipe:1',
    '-xerror', // a frame that fails to decode stops the encode instead of being silently skipped
    '-f', 'png_pipe', '-framerate', fps, '-i', 'pipe:0',
  ];
  const q = String(a.quality);
  let codec: string[];
  switch (a.format) {
    case 'mp4':
      codec = ['-vf', `${fit},format=yuv420p`, '-c:v', 'libx264', '-preset', 'medium', '-crf', q, '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4'];
      break;
    case 'webm':
      codec = ['-vf', `${fit},format=yuv420p`, '-c:v', 'libvpx-vp9', '-crf', q, '-b:v', '0', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1', '-pix_fmt', 'yuv420p', '-f', 'webm'];
      break;
    case 'gif':
      codec = ['-filter_complex', `[0:v]${fit},split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=sierra2_4a`, '-loop', '0', '-f', 'gif'];
      break;
  }
  // -n: the output is always a fresh temp name, so an existing file there means something is wrong.
  return [...input, ...codec, '-an', '-r', fps, '-frames:v', String(a.frames), '-n', a.out];
}
