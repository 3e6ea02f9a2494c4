// What each call may send, and the gate that keeps concurrent uploads from piling up in memory.
import { describe, expect, it } from 'vitest';
import { invokeChannels } from '../contract/channels.ts';
import { fileLimit, Gate, MAX_IMAGE_BYTES, MAX_PLAIN_REQUEST_BYTES, MAX_PRESET_BYTES, requestLimit } from '../host/limits.ts';

describe('per-call limits', () => {
  it('gives file room only to the calls that carry a file', () => {
    const withFiles = invokeChannels.filter((c) => fileLimit(c) > 0).sort();
    expect(withFiles).toEqual(['image.import', 'presets.import', 'recipe.fromPng', 'session.add', 'session.new']);
    expect(requestLimit('app.info')).toBe(MAX_PLAIN_REQUEST_BYTES);
    expect(requestLimit('presets.import')).toBe(Math.ceil((MAX_PRESET_BYTES * 4) / 3) + MAX_PLAIN_REQUEST_BYTES);
    expect(requestLimit('image.import')).toBeLessThan(MAX_IMAGE_BYTES * 1.4);
  });
});

describe('Gate', () => {
  it('runs at most its slots at once; the rest start, in order, as slots free', async () => {
    const gate = new Gate(2);
    const releases: Array<() => void> = [];
    const started: number[] = [];
    const runs = [0, 1, 2, 3].map((i) =>
      gate.run(async () => {
        started.push(i);
        await new Promise<void>((ok) => releases.push(ok));
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 2]);
    releases[0]!();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    expect(gate.inFlight).toBe(2);
    releases[1]!();
    releases[2]!();
    await new Promise((r) => setImmediate(r));
    releases[3]!();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('frees its slot when the work fails', async () => {
    const gate = new Gate(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
