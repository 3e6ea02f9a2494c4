// What a video file really holds, from ffprobe: frame count (packets counted, not decoded, so it
// is fast even for long videos), duration, size, codec and pixel format of the first video stream.
import { execFile } from 'node:child_process';
import { FfmpegError, FfmpegNotFoundError, VideoVerifyError } from './errors.ts';
import { locateFfmpeg, type FfmpegPaths } from './locate.ts';
import { stderrTail } from './run.ts';

export interface VideoProbe {
  frames: number;
  durationS: number;
  width: number;
  height: number;
  codec: string;
  pixFmt: string | null;
}

interface ProbeJson {
  streams?: Array<{ codec_name?: string; width?: number; height?: number; pix_fmt?: string; nb_read_packets?: string; duration?: string }>;
  format?: { duration?: string };
}

export async function probeVideo(path: string, ffmpeg?: FfmpegPaths, signal?: AbortSignal): Promise<VideoProbe> {
  const tools = ffmpeg ?? (await locateFfmpeg());
  const args = ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,pix_fmt,nb_read_packets,duration:format=duration', '-of', 'json', path];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(tools.ffprobe, args, { maxBuffer: 1 << 20, windowsHide: true, signal }, (err, out, errText) => {
      if (!err) return resolve(out);
      if (signal?.aborted) return reject(signal.reason);
      const e = err as NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals | null };
      if (e.code === 'ENOENT' || e.code === 'EACCES') {
        return reject(new FfmpegNotFoundError(`Could not start ffprobe at "${tools.ffprobe}" (${e.code}).`, [tools.ffprobe]));
      }
      reject(new FfmpegError(`probing ${path}`, { tool: 'ffprobe', exitCode: typeof e.code === 'number' ? e.code : null, signal: e.signal ?? null, stderrTail: stderrTail(errText) }));
    });
  });
  const json = JSON.parse(stdout) as ProbeJson;
  const stream = json.streams?.[0];
  if (!stream) throw new VideoVerifyError(`${path} has no video stream.`);
  const duration = Number(stream.duration ?? json.format?.duration);
  return {
    frames: Number(stream.nb_read_packets ?? 0),
    durationS: Number.isFinite(duration) ? duration : 0,
    width: stream.width ?? 0,
    height: stream.height ?? 0,
    codec: stream.codec_name ?? 'unknown',
    pixFmt: stream.pix_fmt ?? null,
  };
}
