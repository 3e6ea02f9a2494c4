// Window messages survive a trip through one binary frame, arrays included; a frame that is not
// ours is a FrameError, never a half-read message.
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameError } from './frames.ts';
import type { WindowMessage } from './protocol.ts';

describe('window frames', () => {
  it.each([
    { type: 'gradient', id: 3, height: 2, width: 1, terms: { layers: [{ name: 'mixed3', weight: 1 }], channels: [] }, pixels: Float32Array.of(0.5, -1, 1, 0.25, 0, -0.125) },
    { type: 'result', id: 3, value: 1.5, backend: 'webgl', gradient: Float32Array.of(1e-7, -2, 3.5) },
    { type: 'ready', backend: 'webgl', adapter: { name: 'x (WebGL2)', software: false }, modelId: 'inception_v3', loadMs: 12 },
    { type: 'error', id: null, message: 'lost' },
    { type: 'hello', webgl: { name: 'x (WebGL2)', software: true }, webgpu: null },
  ] as WindowMessage[])('$type round-trips', (message) => {
    const frame = encodeFrame(message);
    expect(decodeFrame(frame)).toEqual(message);
    // A frame at an odd offset in a bigger buffer (as a socket may hand it over) reads the same.
    const shifted = new Uint8Array(frame.length + 1);
    shifted.set(frame, 1);
    expect(decodeFrame(shifted.subarray(1))).toEqual(message);
  });

  it('refuses frames that are not window messages', () => {
    expect(() => decodeFrame(Uint8Array.of(1, 2))).toThrow(FrameError);
    expect(() => decodeFrame(Uint8Array.of(200, 0, 0, 0, 1))).toThrow(/shorter than its header/);
    const notJson = new Uint8Array([3, 0, 0, 0, 0x7b, 0x7b, 0x7b]);
    expect(() => decodeFrame(notJson)).toThrow(/not JSON/);
    const text = new TextEncoder().encode('{"x":1}');
    const bad = new Uint8Array(4 + text.length);
    new DataView(bad.buffer).setUint32(0, text.length, true);
    bad.set(text, 4);
    expect(() => decodeFrame(bad)).toThrow(/no type/);
  });
});
