// A pure parser for ffmpeg's progress: the `-progress pipe:1` key=value blocks (each ends with
// progress=continue|end) and the classic stderr stats lines ("frame=   12 fps=..." separated by \r).
// Chunks may split lines anywhere; the returned state carries the unfinished line and block.

export interface FfmpegProgressState {
  /** Text after the last line break, waiting for the rest of its line. */
  readonly partial: string;
  /** key=value pairs of the -progress block read so far. */
  readonly block: Readonly<Record<string, string>>;
}

export interface FfmpegProgressUpdate {
  /** Frames written so far, or null when this update does not say. */
  frame: number | null;
  /** Output time in microseconds, or null when ffmpeg reports N/A (or a negative start time). */
  outTimeUs: number | null;
  fps: number | null;
  /** Encoding speed as a multiple of real time. */
  speed: number | null;
  /** True for the block that ends with progress=end. */
  end: boolean;
  source: 'progress' | 'stats';
}

export const initialProgressState: FfmpegProgressState = { partial: '', block: {} };

function num(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
}

/** "01:02:03.45" (optionally negative) → microseconds; negative or unparsable → null. */
export function parseClockUs(value: string | undefined): number | null {
  const m = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value?.trim() ?? '');
  if (!m || m[1] === '-') return null;
  return Math.round((Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1e6);
}

function fromBlock(block: Readonly<Record<string, string>>): FfmpegProgressUpdate {
  const us = num(block['out_time_us'] ?? block['out_time_ms']); // out_time_ms is µs too (an old ffmpeg quirk)
  return {
    frame: num(block['frame']),
    outTimeUs: us !== null && us >= 0 ? us : parseClockUs(block['out_time']),
    fps: num(block['fps']),
    speed: num(block['speed']),
    end: block['progress'] === 'end',
    source: 'progress',
  };
}

/** "frame=   12 fps=0.0 q=-1.0 size=  4kB time=00:00:00.40 bitrate=... speed=0.79x" */
function fromStatsLine(line: string): FfmpegProgressUpdate {
  const pairs: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=\s*(\S+)/g)) pairs[m[1]!] = m[2]!;
  return {
    frame: num(pairs['frame']),
    outTimeUs: parseClockUs(pairs['time']),
    fps: num(pairs['fps']),
    speed: num(pairs['speed']),
    end: false,
    source: 'stats',
  };
}

export function parseFfmpegProgress(
  chunk: string,
  state: FfmpegProgressState = initialProgressState,
): { state: FfmpegProgressState; updates: FfmpegProgressUpdate[] } {
  const lines = (state.partial + chunk).split(/\r\n|\r|\n/);
  const partial = lines.pop() ?? '';
  let block: Record<string, string> = { ...state.block };
  const updates: FfmpegProgressUpdate[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    const keys = line.match(/\w+=/g)?.length ?? 0;
    if (keys > 1 && /^(frame|size)=/.test(line)) {
      updates.push(fromStatsLine(line)); // a classic stats line holds several key= pairs
    } else if (keys === 1 && /^\w+=/.test(line)) {
      const eq = line.indexOf('=');
      const key = line.slice(0, eq);
      block[key] = line.slice(eq + 1).trim();
      if (key === 'progress') {
        updates.push(fromBlock(block));
        block = {};
      }
    }
    // Anything else (log messages, banners) is not progress.
  }
  return { state: { partial, block }, updates };
}
