// `reverie video DIR -o OUT.mp4|OUT.webm|OUT.gif`: encode a folder of PNG frames with ffmpeg.
// Ctrl-C stops ffmpeg and leaves no file behind (the encode goes to a temp file until verified).
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeVideo } from '../../engine/video/encode.ts';
import { listPngFrames } from '../../engine/video/frames.ts';
import { locateFfmpeg } from '../../engine/video/locate.ts';
import { formatFromPath } from '../../engine/video/plan.ts';
import { DEFAULT_FPS, DEFAULT_QUALITY } from '../../engine/video/args.ts';
import { jsonLinesSink, terminalSink } from '../progress.ts';
import { UsageError, withInterrupt } from '../shared.ts';
import { videoSizeFlagSpec, videoSizeFromFlags, videoSizeHelp } from '../videoSize.ts';

export const videoHelp = `reverie video DIR -o OUT.mp4|OUT.webm|OUT.gif [options]

Encodes the PNG frames in DIR (in natural order: frame_2.png before frame_10.png) into a video.
  -o, --out FILE     .mp4 (H.264, yuv420p), .webm (VP9) or .gif (palette made from the frames)
  --fps N            frames per second (default ${DEFAULT_FPS}; GIF at most 50)
  --quality CRF      lower is better and bigger: mp4 0-51 (default ${DEFAULT_QUALITY.mp4}), webm 0-63 (default ${DEFAULT_QUALITY.webm}); not for GIF
${videoSizeHelp}
                     (default: the frames' size, odd sides padded by one pixel for mp4)
  --json             JSON-lines progress on stdout instead of a progress bar
ffmpeg is taken from FFMPEG_PATH (and FFPROBE_PATH), the ffmpeg-static package, or the system PATH.`;

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${text}".`, videoHelp);
  return n;
}

export async function videoCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, fps: { type: 'string' }, quality: { type: 'string' }, ...videoSizeFlagSpec, json: { type: 'boolean' } },
  });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw new UsageError('reverie video takes one folder of PNG frames.', videoHelp);
  if (!values.out) throw new UsageError('Name the output with -o OUT.mp4, OUT.webm or OUT.gif.', videoHelp);
  if (!formatFromPath(values.out)) throw new UsageError(`Output "${values.out}" must end in .mp4, .webm or .gif.`, videoHelp);
  const fps = number('fps', values.fps);
  const quality = number('quality', values.quality);
  const size = videoSizeFromFlags(values);

  const frames = await listPngFrames(dir);
  if (frames.length === 0) throw new UsageError(`"${dir}" holds no .png frames.`, videoHelp);
  const ffmpeg = await locateFfmpeg();
  const sink = values.json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
  const result = await withInterrupt((signal) =>
    encodeVideo({
      frames,
      out: values.out!,
      size,
      ffmpeg,
      signal,
      ...(fps === undefined ? {} : { fps }),
      ...(quality === undefined ? {} : { quality }),
      onSpawn: (pid) => sink.event('ffmpeg', { pid, ffmpeg: ffmpeg.ffmpeg, source: ffmpeg.source, frames: frames.length, message: `Encoding ${frames.length} frames with ${ffmpeg.ffmpeg} (${ffmpeg.source})` }),
      onProgress: (p) => sink.update(p.fraction, `frame ${p.frame}/${p.total}`, p.etaMs, { frame: p.frame, total: p.total }),
    }),
  );
  sink.done(`Wrote ${values.out}: ${result.frames} frames, ${result.durationS.toFixed(2)} s, ${result.width}x${result.height} ${result.codec}`, {
    output: result.out,
    file: basename(result.out),
    format: result.format,
    frames: result.frames,
    durationS: result.durationS,
    width: result.width,
    height: result.height,
    codec: result.codec,
    fps: result.fps,
  });
}
