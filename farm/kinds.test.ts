import { describe, expect, it } from 'vitest';
import { checkPayload, checkResult, decodeFloat32, decodeUint8, encodeBytes, FarmPayloadError, MAX_PAYLOAD_BYTES } from './kinds.ts';

const model = { id: 'inception_v3', sha256: 'a'.repeat(64) };
const rgb = (w: number, h: number): string => encodeBytes(new Uint8Array(w * h * 3));

describe('farm job kinds', () => {
  it('accepts each kind with a well-formed payload', () => {
    expect(() => checkPayload('feature', { model, layer: 'mixed4', channel: 97, recipe: { size: 64 } })).not.toThrow();
    expect(() => checkPayload('dream-image', { model, recipe: { steps: 2 }, image: { width: 4, height: 2, data: rgb(4, 2) } })).not.toThrow();
    const tile = encodeBytes(new Float32Array(2 * 2 * 3));
    expect(() => checkPayload('dream-tile', { model, terms: { layers: [] }, tile: { width: 2, height: 2, data: tile } })).not.toThrow();
  });

  it('refuses kinds outside the closed list, extra fields, paths and URLs', () => {
    expect(() => checkPayload('shell', { cmd: 'rm -rf /' })).toThrow(/Unknown job kind "shell"/);
    expect(() => checkPayload('feature', { model, layer: 'mixed4', channel: 1, recipe: {}, script: 'x' })).toThrow(/unknown field\(s\) script/);
    expect(() => checkPayload('feature', { model, layer: '../../etc/passwd', channel: 1, recipe: {} })).toThrow(/layer must be a layer name/);
    expect(() => checkPayload('feature', { model: { id: 'https://evil.example/model.json', sha256: model.sha256 }, layer: 'mixed4', channel: 1, recipe: {} })).toThrow(/not a path or URL/);
    expect(() => checkPayload('feature', { model: { id: 'inception_v3', sha256: 'zz' }, layer: 'mixed4', channel: 1, recipe: {} })).toThrow(/64 hex/);
    expect(() => checkPayload('feature', { model, layer: 'mixed4', channel: -1, recipe: {} })).toThrow(FarmPayloadError);
  });

  it('checks pixel buffers against their size and the payload limit', () => {
    expect(() => checkPayload('dream-image', { model, recipe: {}, image: { width: 4, height: 3, data: rgb(4, 2) } })).toThrow(/holds 24 bytes; 4x3 needs 36/);
    expect(() => checkPayload('dream-image', { model, recipe: {}, image: { width: 4, height: 2, data: 'not base64!' } })).toThrow(/base64/);
    const huge = 'A'.repeat(Math.ceil((MAX_PAYLOAD_BYTES * 4) / 3) + 4);
    expect(() => checkPayload('dream-image', { model, recipe: {}, image: { width: 16384, height: 16384, data: huge } })).toThrow(/larger than/);
    expect(() => checkPayload('feature', { model, layer: 'mixed4', channel: 1, recipe: { big: 'x'.repeat(70_000) } })).toThrow(/recipe is larger/);
  });

  it('checks results the same way, and float32 buffers survive base64 exactly', () => {
    const g = Float32Array.from([1.5, -0.25, 3e-8, 7, 8, 9]);
    expect(() => checkResult('dream-tile', { value: 0.5, gradient: { width: 2, height: 1, data: encodeBytes(g) } })).not.toThrow();
    expect(() => checkResult('dream-tile', { value: 'x', gradient: { width: 2, height: 1, data: encodeBytes(g) } })).toThrow(/value must be a number/);
    expect(() => checkResult('feature', { width: 2, height: 2, data: rgb(2, 1) })).toThrow(/needs 12/);
    expect([...decodeFloat32(encodeBytes(g), 6)]).toEqual([...g]);
    // A stray character past the sampled ends shortens the buffer: decoding with the size refuses it.
    const long = encodeBytes(new Uint8Array(9000));
    const spoiled = `${long.slice(0, 6000)}*${long.slice(6001)}`;
    expect(() => checkPayload('dream-image', { model, recipe: {}, image: { width: 100, height: 30, data: spoiled } })).not.toThrow();
    expect(() => decodeUint8(spoiled, 9000)).toThrow(/decodes to 8999 bytes, expected 9000/);
  });
});
