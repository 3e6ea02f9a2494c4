// The window device over Electron IPC, without the Electron binary: main's link (main/windowIpc.ts),
// preload's bridge (preload/windowBridge.ts) and the host's real WindowDevice, joined by an in-memory
// stand-in for ipcMain/ipcRenderer/webContents that copies each payload as IPC's structured clone does.
// The page is scripted (no GPU here): this proves the bridge's routing, sender checks and link ends,
// not that Electron's renderer runs the gradient worker (tests/e2e/windowDream.test.ts does, in chromium).
import { describe, expect, it } from 'vitest';
import { WINDOW_FRAME_CHANNEL } from '../contract/windowIpc.ts';
import { decodeFrame, encodeFrame } from '../engine/windowDevice/frames.ts';
import type { FromWindow, ToWindow } from '../engine/windowDevice/protocol.ts';
import { WindowDevice, WindowDeviceError } from '../host/windowDevice.ts';
import { routeAppRequest, serveAppRequest } from '../main/protocol.ts';
import { APP_URL } from '../main/security.ts';
import { linkWindowIpc, type WindowIpcEvent } from '../main/windowIpc.ts';
import { createWindowBridge } from '../preload/windowBridge.ts';

type Listener = (event: never, payload: unknown) => void;
const adapter = { name: 'Scripted GPU', software: false };

/** One window: main's ipcMain and webContents, and the page's ipcRenderer, wired to each other. */
function electronStandIn(frameUrl = APP_URL, senderId = 1) {
  const mainListeners = new Map<string, Set<Listener>>();
  const pageListeners = new Map<string, Set<Listener>>();
  const contentsEvents = new Map<string, Array<(details: never) => void>>();
  const add = (map: Map<string, Set<Listener>>, channel: string, l: Listener) => map.set(channel, (map.get(channel) ?? new Set()).add(l));
  const ipcMain = {
    on: (channel: string, l: (event: WindowIpcEvent, frame: unknown) => void) => add(mainListeners, channel, l as Listener),
    removeListener: (channel: string, l: (event: WindowIpcEvent, frame: unknown) => void) => mainListeners.get(channel)?.delete(l as Listener),
  };
  let destroyed = false;
  const contents = {
    id: 1,
    send: (channel: string, payload: unknown) => queueMicrotask(() => pageListeners.get(channel)?.forEach((l) => l({} as never, structuredClone(payload)))),
    isDestroyed: () => destroyed,
    on: (event: string, l: (details: never) => void) => contentsEvents.set(event, [...(contentsEvents.get(event) ?? []), l]),
  };
  const ipcRenderer = {
    send: (channel: string, payload: unknown) => queueMicrotask(() => mainListeners.get(channel)?.forEach((l) => l({ sender: { id: senderId }, senderFrame: { url: frameUrl } } as never, structuredClone(payload)))),
    on: (channel: string, l: Listener) => add(pageListeners, channel, l),
    removeListener: (channel: string, l: Listener) => pageListeners.get(channel)?.delete(l),
  };
  const fire = (event: string, details?: unknown): void => {
    if (event === 'destroyed') destroyed = true;
    for (const l of contentsEvents.get(event) ?? []) l(details as never);
  };
  return { ipcMain, contents, ipcRenderer, fire, pageListeners };
}

/** A page that answers like the gradient worker: ready on start, gradient = 2 x pixels (or holds tiles). */
function scriptedPage(ipcRenderer: ReturnType<typeof electronStandIn>['ipcRenderer'], o: { hold?: boolean } = {}) {
  const bridge = createWindowBridge(ipcRenderer);
  const seen: ToWindow[] = [];
  const send = (m: FromWindow): void => bridge.send(encodeFrame(m));
  const stop = bridge.listen((frame) => {
    const m = decodeFrame(frame) as ToWindow;
    seen.push(m);
    if (m.type === 'start') send({ type: 'ready', backend: m.backend, adapter, modelId: m.modelId, loadMs: 1 });
    if (m.type === 'gradient' && !o.hold) send({ type: 'result', id: m.id, value: 3, gradient: m.pixels.map((v) => v * 2), backend: 'webgl' });
  });
  send({ type: 'hello', webgl: adapter, webgpu: null });
  return { seen, stop, bridge };
}

const device = () => new WindowDevice(() => ({ modelId: 'inception_v3', modelUrl: '/window-model/' }), 5_000);
const tick = () => new Promise((r) => setTimeout(r, 10));
const pixels = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => i / 10);

describe('the window device over Electron IPC (stand-in, no Electron binary)', () => {
  it("a tile goes to the page through main and preload, and the page's answer comes back", async () => {
    const e = electronStandIn();
    const host = device();
    linkWindowIpc(e.ipcMain, host, e.contents);
    const page = scriptedPage(e.ipcRenderer);
    await tick();
    expect(host.available).toBe(true);
    expect(host.offers()).toEqual({ webgl: adapter, webgpu: null });
    const r = await host.gradient(pixels, 2, 3, { layers: [{ name: 'mixed3', weight: 1 }], channels: [] }, 'webgl');
    expect(Array.from(r.gradient)).toEqual(Array.from(pixels, (v) => Math.fround(v * 2)));
    expect(r).toMatchObject({ value: 3, backend: 'webgl', adapter });
    // The host's answer to the hello crossed too (the page then relists its GPUs in Settings).
    expect(page.seen.map((m) => m.type)).toEqual(['heard', 'start', 'gradient']);
    // Only Uint8Array frames cross the bridge either way.
    page.bridge.send('not a frame' as never);
    e.contents.send(WINDOW_FRAME_CHANNEL, { type: 'gradient' });
    await tick();
    expect(page.seen).toHaveLength(3);
  });

  it('frames from another window or an untrusted frame open no link', async () => {
    for (const e of [electronStandIn('https://evil.example/', 1), electronStandIn(APP_URL, 2)]) {
      const host = device();
      linkWindowIpc(e.ipcMain, host, e.contents);
      scriptedPage(e.ipcRenderer);
      await tick();
      expect(host.available).toBe(false);
      await expect(host.gradient(pixels, 2, 3, { layers: [], channels: [] }, 'webgl')).rejects.toBeInstanceOf(WindowDeviceError);
    }
  });

  it("a reload fails the tile the page held; the reloaded page's hello links again; a closed window ends the link", async () => {
    const e = electronStandIn();
    const host = device();
    linkWindowIpc(e.ipcMain, host, e.contents);
    const first = scriptedPage(e.ipcRenderer, { hold: true });
    await tick();
    const held = host.gradient(pixels, 2, 3, { layers: [], channels: [] }, 'webgl');
    await tick();
    expect(first.seen.map((m) => m.type)).toEqual(['heard', 'start', 'gradient']);
    // An in-page navigation is not a reload: the link stays.
    e.fire('did-start-navigation', { isSameDocument: true, isMainFrame: true });
    expect(host.available).toBe(true);
    first.stop();
    e.fire('did-start-navigation', { isSameDocument: false, isMainFrame: true });
    await expect(held).rejects.toThrow('The window closed or reloaded.');
    expect(host.available).toBe(false);

    const second = scriptedPage(e.ipcRenderer);
    await tick();
    expect(host.available).toBe(true);
    expect((await host.gradient(pixels, 2, 3, { layers: [], channels: [] }, 'webgl')).value).toBe(3);
    expect(second.seen.map((m) => m.type)).toEqual(['heard', 'start', 'gradient']);

    e.fire('destroyed');
    expect(host.available).toBe(false);
  });

  it('reverie://app/window-model/ serves the active model\'s files, and nothing else under it', async () => {
    const dirs = { rendererDir: '/app/dist/renderer', dataDir: '/data', windowModel: async () => ({ modelId: 'm', json: '{"format":"layers-model"}', weights: new Uint8Array([1, 2, 3]) }) };
    expect(routeAppRequest('reverie://app/window-model/model.json', 'GET', dirs)).toEqual({ kind: 'window-model', name: 'model.json' });
    expect(routeAppRequest('reverie://app/window-model/other', 'GET', dirs)).toEqual({ kind: 'refuse', status: 404 });
    const json = await serveAppRequest({ url: 'reverie://app/window-model/model.json', method: 'GET' }, dirs);
    expect([json.status, await json.text()]).toEqual([200, '{"format":"layers-model"}']);
    const weights = await serveAppRequest({ url: 'reverie://app/window-model/weights.bin', method: 'GET' }, dirs);
    expect([weights.status, Array.from(new Uint8Array(await weights.arrayBuffer()))]).toEqual([200, [1, 2, 3]]);
    const failing = await serveAppRequest({ url: 'reverie://app/window-model/model.json', method: 'GET' }, { ...dirs, windowModel: () => Promise.reject(new Error('no such model')) });
    expect([failing.status, await failing.text()]).toEqual([503, "The model's files could not be read: no such model"]);
  });
});
