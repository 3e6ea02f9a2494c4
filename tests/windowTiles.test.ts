// The engine thread's end of the window device: tiles go out through the engine port and come back
// by id; when the window fails a tile, that tile and every later one of the job run on the CPU route
// (the real model here), the fallback is reported once, and the job says where its tiles ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { termsObjective, tileGradient } from '../engine/render/tileStep.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { WindowTileClient, WindowTileSource } from '../host/windowTiles.ts';
import type { EngineMessage, WindowTileRequest } from '../host/protocol.ts';

let model: DreamModel;
const terms = { layers: [{ name: 'mixed3', weight: 1 }], channels: [] };
const adapter = { name: 'SwiftShader (WebGL2)', software: true };

beforeAll(async () => {
  await initBackend('wasm');
  model = await loadDreamModel('inception_v3');
  model.useDevice?.({ device: 'cpu' });
}, 120_000);
afterAll(() => model?.dispose());

describe('window tiles', () => {
  it('go to the window until it fails, then run on the CPU route, and say so once', async () => {
    const sent: WindowTileRequest[] = [];
    // The scripted host: answers the first tile, refuses the second.
    const post = (m: EngineMessage): void => {
      if (m.type !== 'window-tile') return;
      sent.push(m);
      queueMicrotask(() =>
        client.receive(sent.length === 1
          ? { type: 'window-tile-result', tileId: m.tileId, ok: true, value: 7, gradient: new Float32Array(m.height * m.width * 3).fill(0.5), backend: 'webgl', adapter }
          : { type: 'window-tile-result', tileId: m.tileId, ok: false, message: 'The window lost its WebGL context.' }),
      );
    };
    const client: WindowTileClient = new WindowTileClient(post);
    const reasons: string[] = [];
    const source = new WindowTileSource(client, model, (r) => reasons.push(r));
    const [h, w] = [80, 88];
    const pixels = Float32Array.from({ length: h * w * 3 }, (_, i) => Math.sin(i) * 0.8);

    const first = await source.gradient(pixels, h, w, terms);
    expect(first.value).toBe(7);
    expect(source.lastRoute).toBe('window');
    expect(source.describe()).toEqual({ device: 'window', deviceLabel: "the app window's webgl on SwiftShader (WebGL2), software GPU", softwareGpu: true });

    const cpu = tileGradient(model, pixels, h, w, termsObjective(model, terms));
    const second = await source.gradient(pixels, h, w, terms);
    const third = await source.gradient(pixels, h, w, terms);
    // The failed tile was computed here, with the CPU route's numbers; the next never left.
    expect(Array.from(second.gradient)).toEqual(Array.from(cpu.gradient));
    expect(Array.from(third.gradient)).toEqual(Array.from(cpu.gradient));
    expect(sent).toHaveLength(2);
    expect(reasons).toEqual(['The window lost its WebGL context.']);
    expect(source.lastRoute).toBe('onnxruntime');
    expect(source.describe()).toMatchObject({ device: 'window+cpu', deviceLabel: expect.stringMatching(/for 1 tile, then onnxruntime-node .* for 2 tiles \(The window lost its WebGL context\.\)$/) });
    // The window got a copy: the pixels are still here for the CPU route.
    expect(pixels.length).toBe(h * w * 3);
  });

  it("records each zoom frame's own device: window, window+cpu for the frame it failed in, then the CPU route", async () => {
    let answered = 0;
    const post = (m: EngineMessage): void => {
      if (m.type !== 'window-tile') return;
      // The scripted window answers three tiles, then fails.
      const ok = answered++ < 3;
      queueMicrotask(() => client.receive(ok ? { type: 'window-tile-result', tileId: m.tileId, ok: true, value: 1, gradient: new Float32Array(m.height * m.width * 3), backend: 'webgl', adapter } : { type: 'window-tile-result', tileId: m.tileId, ok: false, message: 'The window closed or reloaded.' }));
    };
    const client: WindowTileClient = new WindowTileClient(post);
    const source = new WindowTileSource(client, model, () => undefined);
    const [h, w] = [80, 88];
    const pixels = new Float32Array(h * w * 3).fill(0.1);
    const frame = async (tiles: number) => {
      for (let i = 0; i < tiles; i++) await source.gradient(pixels, h, w, terms);
      return source.frameDevice();
    };
    expect((await frame(2)).device).toBe('window');
    expect(await frame(2)).toMatchObject({ device: 'window+cpu', deviceLabel: expect.stringMatching(/for 1 tile, then onnxruntime-node .* for 1 tile \(The window closed or reloaded\.\)$/) });
    expect(await frame(2)).toMatchObject({ device: 'cpu', deviceLabel: expect.stringMatching(/\(the window could not: The window closed or reloaded\.\)$/) });
    // The job as a whole still says where all its tiles ran.
    expect(source.describe()).toMatchObject({ device: 'window+cpu', deviceLabel: expect.stringMatching(/for 3 tiles, then .* for 3 tiles/) });
  });
});
