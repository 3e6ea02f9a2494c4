// The progress parser on real ffmpeg 5.1 output captured on this machine (see tests/fixtures/ffmpeg/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClockUs, parseFfmpegProgress, type FfmpegProgressState, type FfmpegProgressUpdate } from './progress.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../tests/fixtures/ffmpeg/${name}`, import.meta.url), 'utf8');
const progressPipe = fixture('ffmpeg-5.1-progress-pipe.txt');
const stderr = fixture('ffmpeg-5.1-stderr.txt');

/** Feeds `text` in chunks of `size` characters, carrying the state, and collects every update. */
function parseInChunks(text: string, size: number): FfmpegProgressUpdate[] {
  let state: FfmpegProgressState | undefined;
  const all: FfmpegProgressUpdate[] = [];
  for (let i = 0; i < text.length; i += size) {
    const r = parseFfmpegProgress(text.slice(i, i + size), state);
    state = r.state;
    all.push(...r.updates);
  }
  return all;
}

describe('parseFfmpegProgress on a real -progress pipe:1 capture', () => {
  const { updates, state } = parseFfmpegProgress(progressPipe);

  it('yields one update per block, frames rising to the total, the last one marked end', () => {
    expect(updates.map((u) => u.frame)).toEqual([1, 2, 34, 48, 62, 75, 86, 90]);
    expect(updates.every((u) => u.source === 'progress')).toBe(true);
    expect(updates.map((u) => u.end)).toEqual([false, false, false, false, false, false, false, true]);
    expect(state).toEqual({ partial: '', block: {} });
  });

  it('reads out_time_us, fps and speed', () => {
    const last = updates.at(-1)!;
    expect(last.outTimeUs).toBe(2968000);
    expect(last.fps).toBeCloseTo(83.57, 2);
    expect(last.speed).toBeCloseTo(2.76, 2);
    expect(updates[0]!.outTimeUs).toBe(0);
    expect(updates[0]!.speed).toBe(0);
  });

  it('gives the same updates however the stream is split into chunks', () => {
    for (const size of [1, 7, 64, 333]) expect(parseInChunks(progressPipe, size)).toEqual(updates);
  });
});

describe('parseFfmpegProgress on a real stderr capture (classic stats lines)', () => {
  const { updates } = parseFfmpegProgress(stderr);

  it('finds every \\r-separated stats line and ignores stream info and log lines', () => {
    expect(updates.map((u) => u.frame)).toEqual([1, 2, 34, 48, 62, 75, 86, 90]);
    expect(updates.every((u) => u.source === 'stats' && !u.end)).toBe(true);
    expect(updates.at(-1)).toMatchObject({ outTimeUs: 2960000, fps: 84, speed: 2.76 });
    expect(updates[2]).toMatchObject({ frame: 34, outTimeUs: 300000, speed: 1.21 });
  });

  it('gives the same updates in 5-character chunks', () => {
    expect(parseInChunks(stderr, 5)).toEqual(updates);
  });
});

describe('parseFfmpegProgress edge cases', () => {
  it('keeps an unfinished block in the state until progress= arrives', () => {
    const first = parseFfmpegProgress('frame=3\nout_time_us=N/A\nspe');
    expect(first.updates).toEqual([]);
    expect(first.state).toEqual({ partial: 'spe', block: { frame: '3', out_time_us: 'N/A' } });
    const second = parseFfmpegProgress('ed=N/A\nprogress=continue\n', first.state);
    expect(second.updates).toEqual([{ frame: 3, outTimeUs: null, fps: null, speed: null, end: false, source: 'progress' }]);
  });

  it('does not change the state it was given (pure)', () => {
    const state: FfmpegProgressState = { partial: '', block: { frame: '1' } };
    parseFfmpegProgress('frame=2\n', state);
    expect(state).toEqual({ partial: '', block: { frame: '1' } });
  });

  it('reads clock times, refusing negative and malformed ones', () => {
    expect(parseClockUs('01:02:03.50')).toBe(3723500000);
    expect(parseClockUs('-577014:32:22.77')).toBeNull();
    expect(parseClockUs('N/A')).toBeNull();
    expect(parseClockUs(undefined)).toBeNull();
  });
});
