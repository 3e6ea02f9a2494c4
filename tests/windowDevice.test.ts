// The host's end of the window device with a scripted page: tiles go to the newest working page
// (started once per backend, on the first tile), answers come back by id, and a page that closes, loses
// its device or never was fails what it held with a WindowDeviceError (the engine then uses the CPU).
// Auto picks the page's best hardware backend and never a software GPU; a named backend is used as is.
import { describe, expect, it } from 'vitest';
import { WindowDevice, WindowDeviceError } from '../host/windowDevice.ts';
import type { ToWindow } from '../engine/windowDevice/protocol.ts';
import type { WindowOffers } from '../engine/windowDevice/choice.ts';
import { windowDeviceOptions } from '../host/windowChoices.ts';

const terms = { layers: [{ name: 'mixed3', weight: 1 }], channels: [] };
const adapter = { name: 'SwiftShader (WebGL2)', software: true };

const gpuAdapter = { name: 'NVIDIA GeForce (WebGPU)', software: false };

/** A page that has said what it offers (null: one that has said nothing yet). */
function page(device: WindowDevice, offers: WindowOffers | null = { webgl: adapter, webgpu: null }) {
  const sent: ToWindow[] = [];
  const link = device.attach({ send: (m) => sent.push(m) });
  if (offers) link.receive({ type: 'hello', ...offers });
  return { sent, link };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('WindowDevice', () => {
  it('starts the newest page once, then sends it one tile at a time and answers each by id', async () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
    page(device);
    const newest = page(device);
    const first = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    await tick();
    // Each hello is heard (the page then lists its GPUs in Settings); the first tile starts the newest page.
    expect(newest.sent).toEqual([{ type: 'heard' }, { type: 'start', backend: 'webgl', modelUrl: '/window-model/', modelId: 'inception_v3' }]);
    newest.link.receive({ type: 'ready', backend: 'webgl', adapter, modelId: 'inception_v3', loadMs: 5 });
    await tick();
    const second = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    await tick();
    const ids = (): number[] => newest.sent.flatMap((m) => (m.type === 'gradient' ? [m.id] : []));
    // The second tile waits for the first's answer (the page's worker would run them in turn anyway).
    expect(ids()).toHaveLength(1);
    newest.link.receive({ type: 'result', id: ids()[0]!, value: 1, gradient: Float32Array.of(1, 2, 3), backend: 'webgl' });
    expect(await first).toMatchObject({ value: 1, backend: 'webgl', adapter });
    await tick();
    expect(ids()).toHaveLength(2);
    newest.link.receive({ type: 'result', id: ids()[1]!, value: 2, gradient: Float32Array.of(4, 5, 6), backend: 'webgl' });
    expect(Array.from((await second).gradient)).toEqual([4, 5, 6]);
    expect(newest.sent.filter((m) => m.type === 'start')).toHaveLength(1);
  });

  it('fails what a page held when it closes, and refuses tiles when no page is left', async () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
    const p = page(device);
    const tile = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    const waiting = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    await tick();
    p.link.receive({ type: 'ready', backend: 'webgl', adapter, modelId: 'inception_v3', loadMs: 5 });
    await tick();
    p.link.closed();
    p.link.closed(); // a socket's error then close: the second changes nothing
    await expect(tile).rejects.toThrow(WindowDeviceError);
    await expect(tile).rejects.toThrow(/closed or reloaded/);
    // The tile that waited its turn fails too, never sent to the closed page.
    await expect(waiting).rejects.toThrow(/closed or reloaded/);
    expect(p.sent.filter((m) => m.type === 'gradient')).toHaveLength(1);
    expect(device.available).toBe(false);
    await expect(device.gradient(new Float32Array(3), 1, 1, terms, 'webgl')).rejects.toThrow(/No app window is open/);
  });

  it("says what the newest working page offers, once it has said; Settings lists each window backend with it", () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
    const p = page(device, null);
    expect(device.offers()).toBeNull();
    // Before any window said, every window device can be chosen.
    expect(windowDeviceOptions(null).map((d) => [d.choice, d.available])).toEqual([['window', true], ['window-webgl', true], ['window-webgpu', true]]);
    const swiftshader = { webgl: adapter, webgpu: { name: 'google swiftshader (WebGPU)', software: true } };
    p.link.receive({ type: 'hello', ...swiftshader });
    expect(device.offers()).toEqual(swiftshader);
    const soft = windowDeviceOptions(device.offers());
    expect(soft.map((d) => d.available)).toEqual([true, true, true]);
    expect(soft[0]!.note).toMatch(/best hardware GPU .*: none in this window, so the CPU;/);
    expect(soft[1]!.note).toMatch(/window's WebGL2: SwiftShader \(WebGL2\), software GPU/);
    expect(soft[2]!.note).toMatch(/window's WebGPU: google swiftshader \(WebGPU\), software GPU/);
    const other = page(device, { webgl: { name: 'NVIDIA GeForce (WebGL2)', software: false }, webgpu: null });
    const hard = windowDeviceOptions(device.offers());
    expect(hard[0]!.note).toMatch(/: WebGL2 on NVIDIA GeForce \(WebGL2\);/);
    // A backend the window lacks cannot be chosen.
    expect(hard[2]).toMatchObject({ choice: 'window-webgpu', available: false, note: expect.stringMatching(/WebGPU: none in this window/) });
    other.link.closed();
    expect(device.offers()).toEqual(swiftshader);
  });

  it('auto picks hardware WebGPU, then hardware WebGL2, and never a software GPU; a named backend runs even on one', async () => {
    const pick = async (offers: WindowOffers, choice: 'auto' | 'webgl' | 'webgpu'): Promise<string> => {
      const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
      const p = page(device, offers);
      const tile = device.gradient(new Float32Array(3), 1, 1, terms, choice);
      const refusal = tile.then(() => 'answered', (err: Error) => err.message);
      await tick();
      const start = p.sent.find((m) => m.type === 'start');
      if (!start) return `refused: ${await refusal}`;
      p.link.receive({ type: 'ready', backend: start.backend, adapter, modelId: 'inception_v3', loadMs: 1 });
      await tick();
      const g = p.sent.find((m) => m.type === 'gradient') as { id: number };
      p.link.receive({ type: 'result', id: g.id, value: 1, gradient: Float32Array.of(1, 2, 3), backend: start.backend });
      return (await tile).backend;
    };
    const softGpu = { name: 'google swiftshader (WebGPU)', software: true };
    const hardGl = { name: 'NVIDIA GeForce (WebGL2)', software: false };
    expect(await pick({ webgl: hardGl, webgpu: gpuAdapter }, 'auto')).toBe('webgpu');
    expect(await pick({ webgl: hardGl, webgpu: softGpu }, 'auto')).toBe('webgl');
    expect(await pick({ webgl: adapter, webgpu: softGpu }, 'auto')).toMatch(/^refused: The window offers only a software GPU \(WebGPU on google swiftshader.*; WebGL2 on SwiftShader.*\), which auto never picks; choose window-webgl or window-webgpu/);
    expect(await pick({ webgl: null, webgpu: null }, 'auto')).toBe('refused: The window offers no WebGPU or WebGL2.');
    expect(await pick({ webgl: adapter, webgpu: softGpu }, 'webgpu')).toBe('webgpu');
    expect(await pick({ webgl: adapter, webgpu: softGpu }, 'webgl')).toBe('webgl');
    expect(await pick({ webgl: adapter, webgpu: null }, 'webgpu')).toBe('refused: The window offers no WebGPU.');
  });

  it('another backend or model restarts the page; a backend the page refused fails at once, and the page keeps the others', async () => {
    let modelId = 'inception_v3';
    const device = new WindowDevice(() => ({ modelId, modelUrl: '/window-model/' }));
    const p = page(device, { webgl: adapter, webgpu: gpuAdapter });
    const starts = (): string[] => p.sent.flatMap((m) => (m.type === 'start' ? [`${m.backend} ${m.modelId}`] : []));
    const answer = async (): Promise<void> => {
      await tick();
      const last = p.sent.at(-1)!;
      if (last.type === 'start') {
        p.link.receive({ type: 'ready', backend: last.backend, adapter, modelId: last.modelId, loadMs: 1 });
        await tick();
      }
      const g = p.sent.at(-1) as { id: number; type: string };
      if (g.type === 'gradient') p.link.receive({ type: 'result', id: g.id, value: 1, gradient: Float32Array.of(1, 2, 3), backend: 'webgl' });
    };
    const run = async (choice: 'webgl' | 'webgpu'): Promise<void> => {
      const tile = device.gradient(new Float32Array(3), 1, 1, terms, choice);
      await answer();
      await tile;
    };
    await run('webgl');
    await run('webgl');
    await run('webgpu');
    modelId = 'mobilenet';
    await run('webgpu');
    expect(starts()).toEqual(['webgl inception_v3', 'webgpu inception_v3', 'webgpu mobilenet']);
    // The page cannot start webgl for this model: webgl is refused from now on, webgpu still runs.
    const refused = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    await tick();
    p.link.receive({ type: 'error', id: null, message: 'This GPU cannot render to float32 textures' });
    await expect(refused).rejects.toThrow(/float32 textures/);
    await expect(device.gradient(new Float32Array(3), 1, 1, terms, 'webgl')).rejects.toThrow(/float32 textures/);
    expect(starts()).toHaveLength(4);
    expect(device.available).toBe(true);
    await run('webgpu');
    expect(starts().at(-1)).toBe('webgpu mobilenet');
  });

  it('a page that does not answer in time fails, and the next tile goes to another page', async () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }), 30);
    const working = page(device);
    const silent = page(device);
    await expect(device.gradient(new Float32Array(3), 1, 1, terms, 'webgl')).rejects.toThrow(/did not answer within/);
    expect(silent.sent.map((m) => m.type)).toEqual(['heard', 'start']); // the start, never answered
    const next = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    await tick();
    expect(working.sent.map((m) => m.type)).toEqual(['heard', 'start']);
    working.link.receive({ type: 'ready', backend: 'webgl', adapter, modelId: 'inception_v3', loadMs: 5 });
    await tick();
    const g = working.sent.find((m) => m.type === 'gradient') as { id: number };
    working.link.receive({ type: 'result', id: g.id, value: 1, gradient: Float32Array.of(1, 2, 3), backend: 'webgl' });
    expect((await next).value).toBe(1);
  });

  it('a start refused, a lost device and a wrong-sized answer are errors, never results', async () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
    const refused = page(device);
    const tile = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    await tick();
    refused.link.receive({ type: 'error', id: null, message: 'This GPU cannot render to float32 textures' });
    await expect(tile).rejects.toThrow(/float32 textures/);
    const good = page(device);
    const short = device.gradient(new Float32Array(3), 1, 1, terms, 'webgl');
    await tick();
    good.link.receive({ type: 'ready', backend: 'webgl', adapter, modelId: 'inception_v3', loadMs: 5 });
    await tick();
    const id = good.sent.find((m) => m.type === 'gradient')!;
    good.link.receive({ type: 'result', id: (id as { id: number }).id, value: 1, gradient: Float32Array.of(1), backend: 'webgl' });
    await expect(short).rejects.toThrow(/returned 1 values for a 1x1 tile/);
  });
});
