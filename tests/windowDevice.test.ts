// The host's end of the window device with a scripted page: tiles go to the newest working page
// (started once, on the first tile), answers come back by id, and a page that closes, loses its
// device or never was fails what it held with a WindowDeviceError (the engine then uses the CPU).
import { describe, expect, it } from 'vitest';
import { WindowDevice, WindowDeviceError } from '../host/windowDevice.ts';
import type { ToWindow } from '../engine/windowDevice/protocol.ts';

const terms = { layers: [{ name: 'mixed3', weight: 1 }], channels: [] };
const adapter = { name: 'SwiftShader (WebGL2)', software: true };

function page(device: WindowDevice) {
  const sent: ToWindow[] = [];
  const link = device.attach({ send: (m) => sent.push(m) });
  return { sent, link };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('WindowDevice', () => {
  it('starts the newest page once, then sends it one tile at a time and answers each by id', async () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
    page(device);
    const newest = page(device);
    const first = device.gradient(new Float32Array(3), 1, 1, terms);
    await tick();
    expect(newest.sent).toEqual([{ type: 'start', backend: 'webgl', modelUrl: '/window-model/', modelId: 'inception_v3' }]);
    newest.link.receive({ type: 'ready', backend: 'webgl', adapter, modelId: 'inception_v3', loadMs: 5 });
    await tick();
    const second = device.gradient(new Float32Array(3), 1, 1, terms);
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
    const tile = device.gradient(new Float32Array(3), 1, 1, terms);
    const waiting = device.gradient(new Float32Array(3), 1, 1, terms);
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
    await expect(device.gradient(new Float32Array(3), 1, 1, terms)).rejects.toThrow(/No app window is open/);
  });

  it("says what the newest working page offers, once it has said", () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
    const p = page(device);
    expect(device.describe()).toBeNull();
    p.link.receive({ type: 'hello', webgl: adapter, webgpu: { name: 'google swiftshader (WebGPU)', software: true } });
    expect(device.describe()).toBe('SwiftShader (WebGL2), software GPU; WebGPU: google swiftshader (WebGPU), software GPU');
    const other = page(device);
    other.link.receive({ type: 'hello', webgl: { name: 'NVIDIA GeForce (WebGL2)', software: false }, webgpu: null });
    expect(device.describe()).toBe('NVIDIA GeForce (WebGL2)');
    other.link.closed();
    expect(device.describe()).toMatch(/^SwiftShader/);
  });

  it('a page that does not answer in time fails, and the next tile goes to another page', async () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }), 30);
    const working = page(device);
    const silent = page(device);
    await expect(device.gradient(new Float32Array(3), 1, 1, terms)).rejects.toThrow(/did not answer within/);
    expect(silent.sent).toHaveLength(1); // the start, never answered
    const next = device.gradient(new Float32Array(3), 1, 1, terms);
    await tick();
    expect(working.sent.map((m) => m.type)).toEqual(['start']);
    working.link.receive({ type: 'ready', backend: 'webgl', adapter, modelId: 'inception_v3', loadMs: 5 });
    await tick();
    const g = working.sent.find((m) => m.type === 'gradient') as { id: number };
    working.link.receive({ type: 'result', id: g.id, value: 1, gradient: Float32Array.of(1, 2, 3), backend: 'webgl' });
    expect((await next).value).toBe(1);
  });

  it('a start refused, a lost device and a wrong-sized answer are errors, never results', async () => {
    const device = new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }));
    const refused = page(device);
    const tile = device.gradient(new Float32Array(3), 1, 1, terms);
    await tick();
    refused.link.receive({ type: 'error', id: null, message: 'This GPU cannot render to float32 textures' });
    await expect(tile).rejects.toThrow(/float32 textures/);
    const good = page(device);
    const short = device.gradient(new Float32Array(3), 1, 1, terms);
    await tick();
    good.link.receive({ type: 'ready', backend: 'webgl', adapter, modelId: 'inception_v3', loadMs: 5 });
    await tick();
    const id = good.sent.find((m) => m.type === 'gradient')!;
    good.link.receive({ type: 'result', id: (id as { id: number }).id, value: 1, gradient: Float32Array.of(1), backend: 'webgl' });
    await expect(short).rejects.toThrow(/returned 1 values for a 1x1 tile/);
  });
});
