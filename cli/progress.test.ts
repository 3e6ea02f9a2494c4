// The progress sinks: a redrawn bar with ETA on a terminal, JSON lines for scripts, nothing per step in a pipe.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { formatDuration, jsonLinesSink, renderBar, terminalSink } from './progress.ts';

function capture(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: tty, columns: 100 });
  return { stream, text: () => text };
}

describe('progress', () => {
  it('formats durations and bars', () => {
    expect(formatDuration(null)).toBe('--:--');
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_726_000)).toBe('1:02:06');
    expect(renderBar(0.5, 10)).toBe('[#####-----]  50%');
    expect(renderBar(2, 4)).toBe('[####] 100%');
  });

  it('redraws one line with bar, ETA and label on a terminal', () => {
    const out = capture(true);
    const sink = terminalSink(out.stream);
    sink.update(1, 'octave 4/4 step 10/10', 0);
    sink.done('Wrote x.png');
    expect(out.text()).toContain('\r\x1b[2K[');
    expect(out.text()).toMatch(/100% ETA 0:00 {2}octave 4\/4 step 10\/10/);
    expect(out.text().endsWith('Wrote x.png\n')).toBe(true);
  });

  it('prints no bar into a pipe, and JSON lines when asked', () => {
    const pipe = capture(false);
    terminalSink(pipe.stream).update(0.5, 'x', 1000);
    expect(pipe.text()).toBe('');
    const json = capture(false);
    const sink = jsonLinesSink(json.stream);
    sink.update(0.25, 'step 1', 1234.6, { step: 0 });
    sink.done('ok', { output: 'a.png' });
    expect(json.text().trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { type: 'progress', fraction: 0.25, label: 'step 1', etaMs: 1235, step: 0 },
      { type: 'done', message: 'ok', output: 'a.png' },
    ]);
  });
});
