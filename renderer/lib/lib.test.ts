// The renderer's small pure helpers: shortcuts, words and numbers, and the browser-mode transport.
import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../../contract/wire.ts';
import { describeRecipe, engineRoute, errorTitle, formatDate, formatDuration, formatEta } from './format.ts';
import { HttpTransport, type ConnectionState, type HttpDeps } from './httpTransport.ts';
import { BLOCK_NAMES, layerNote } from './layerNotes.ts';
import { DEFAULT_PRESET } from './presets.ts';
import { SHORTCUTS, commandFor, shortcutLabel, type KeyLike } from './shortcuts.ts';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, inField: false, ...mods });

describe('shortcuts', () => {
  it('maps the common actions on Linux/Windows and macOS', () => {
    expect(commandFor(key('Enter', { ctrlKey: true }), false)).toBe('dream');
    expect(commandFor(key('Enter', { metaKey: true }), true)).toBe('dream');
    expect(commandFor(key('Enter', { metaKey: true }), false)).toBeNull();
    expect(commandFor(key('Escape'), false)).toBe('cancel');
    expect(commandFor(key('s', { ctrlKey: true }), false)).toBe('save');
    expect(commandFor(key('S', { ctrlKey: true }), false)).toBe('save');
    expect(commandFor(key('o', { ctrlKey: true }), false)).toBe('open');
    expect(commandFor(key('O', { ctrlKey: true, shiftKey: true }), false)).toBe('load-recipe');
    expect(commandFor(key('5', { ctrlKey: true }), false)).toBe('show-gallery');
    expect(commandFor(key('s', { ctrlKey: true, altKey: true }), false)).toBeNull();
    expect(commandFor(key('s'), false)).toBeNull();
  });

  it('leaves plain keys to text fields', () => {
    expect(commandFor(key('?', { shiftKey: true }), false)).toBe('show-shortcuts');
    expect(commandFor(key('?', { shiftKey: true, inField: true }), false)).toBeNull();
    expect(commandFor(key('Enter', { ctrlKey: true, inField: true }), false)).toBe('dream');
  });

  it('lists each command once and labels keys per platform', () => {
    expect(new Set(SHORTCUTS.map((s) => s.command)).size).toBe(SHORTCUTS.length);
    expect(shortcutLabel({ key: 'o', mod: true, shift: true }, false)).toBe('Ctrl+Shift+O');
    expect(shortcutLabel({ key: 'o', mod: true, shift: true }, true)).toBe('⌘⇧O');
    expect(shortcutLabel({ key: 'Escape', mod: false }, false)).toBe('Esc');
  });
});

describe('format', () => {
  it('names the route a ready engine dreams on: the window, a GPU, the CPU or the backend', () => {
    const window = engineRoute({ backend: 'wasm', device: 'window', accelerator: "the app window's GPU (WebGL2), onnxruntime-node 1.30.0, 2 threads when no window can" });
    expect(window).toEqual({ name: 'window', detail: "the app window's GPU (WebGL2), onnxruntime-node 1.30.0, 2 threads when no window can" });
    expect(engineRoute({ backend: 'wasm', device: 'cpu', accelerator: 'onnxruntime-node 1.30.0, 2 threads (the window device stopped: The window closed or reloaded.)' })).toEqual({
      name: 'CPU',
      detail: 'the CPU (onnxruntime-node 1.30.0, 2 threads (the window device stopped: The window closed or reloaded.))',
    });
    expect(engineRoute({ backend: 'wasm', device: 'webgpu', accelerator: 'onnxruntime-node 1.30.0 on webgpu' }).name).toBe('webgpu');
    expect(engineRoute({ backend: 'wasm', device: null, accelerator: null }).name).toBe('wasm');
  });

  it('writes durations, ETAs and dates for people', () => {
    expect(formatDuration(400)).toBe('0 s');
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(3_725_000)).toBe('1 h 02 min');
    expect(formatEta(null)).toBe('estimating…');
    expect(formatEta(300)).toBe('almost done');
    expect(formatEta(12_000)).toBe('about 12 s left');
    expect(formatDate('2030-05-06T10:00:00', new Date('2030-05-06T12:00:00'))).toMatch(/^Today 10:00/);
    expect(formatDate('2029-05-06T10:00:00', new Date('2030-05-06T12:00:00'))).toMatch(/2029/);
  });

  it('names errors in words and summarises recipes', () => {
    expect(errorTitle('UnsupportedImageError')).toBe('Unsupported image');
    expect(errorTitle('RecipeError')).toBe('Recipe problem');
    expect(errorTitle('Error')).toBe('Something went wrong');
    expect(describeRecipe({ ...DEFAULT_PRESET.recipe, channels: [{ layer: 'mixed4', index: 97, weight: 1 }], layers: [{ name: 'mixed3', weight: 0.5 }] })).toBe('mixed3×0.5 + mixed4:97 · 10 steps · 4 octaves');
  });

  it('describes every block the picker shows', () => {
    expect(BLOCK_NAMES).toEqual(Array.from({ length: 11 }, (_, i) => `mixed${i}`));
    for (const name of BLOCK_NAMES) expect(layerNote(name).length).toBeGreaterThan(10);
    expect(layerNote('conv2d_1')).toBe('A layer of this model');
  });
});

class FakeSocket {
  static made: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols?: string[],
  ) {
    FakeSocket.made.push(this);
  }
}

describe('HttpTransport', () => {
  function make(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
    FakeSocket.made = [];
    const timers: Array<() => void> = [];
    const requests: Array<{ url: string; init: RequestInit }> = [];
    const deps: HttpDeps = {
      fetch: (async (url: string, init: RequestInit) => (requests.push({ url, init }), respond(url, init))) as typeof fetch,
      WebSocket: FakeSocket as unknown as typeof WebSocket,
      setTimeout: (fn) => timers.push(fn),
    };
    return { transport: new HttpTransport('http://127.0.0.1:4100', 'tok', deps), requests, timers };
  }

  it('posts wire JSON with the session in a header and returns the envelope', async () => {
    const { transport, requests } = make(() => new Response(toWire({ ok: true, value: { data: new Uint8Array([7]) } })));
    const answer = await transport.invoke('image.import', { name: 'a.png', data: new Uint8Array([1, 2]) });
    expect(answer).toEqual({ ok: true, value: { data: new Uint8Array([7]) } });
    expect(requests[0]!.url).toBe('http://127.0.0.1:4100/api/image.import');
    expect(requests[0]!.init.headers).toMatchObject({ 'x-reverie-session': 'tok', 'content-type': 'application/json' });
    expect(fromWire(String(requests[0]!.init.body))).toEqual({ name: 'a.png', data: new Uint8Array([1, 2]) });
  });

  it('turns refusals and a dead server into ConnectionErrors with the reason', async () => {
    const refused = make(() => new Response('Open the address printed in the terminal', { status: 401 }));
    expect(await refused.transport.invoke('app.info', {})).toEqual({ ok: false, error: { name: 'ConnectionError', message: 'Open the address printed in the terminal' } });
    const dead = make(() => Promise.reject(new TypeError('fetch failed')));
    expect(await dead.transport.invoke('app.info', {})).toMatchObject({ ok: false, error: { name: 'ConnectionError', message: expect.stringContaining('not answering') } });
  });

  it('shares one event socket, dispatches by channel, and reconnects after a drop', () => {
    const { transport, timers } = make(() => new Response(''));
    const states: Array<[ConnectionState, boolean]> = [];
    transport.onConnection = (s, again) => states.push([s, again]);
    const got: unknown[] = [];
    const off = transport.subscribe('job.state', (p) => got.push(p));
    transport.subscribe('gallery.changed', () => got.push('changed'));
    expect(FakeSocket.made.map((s) => [s.url, s.protocols])).toEqual([['ws://127.0.0.1:4100/api/events', ['reverie.events', 'reverie.session.tok']]]);
    const ws = FakeSocket.made[0]!;
    ws.onopen!();
    ws.onmessage!({ data: toWire({ channel: 'job.state', payload: { state: 'running' } }) });
    ws.onmessage!({ data: toWire({ channel: 'gallery.changed', payload: {} }) });
    off();
    ws.onmessage!({ data: toWire({ channel: 'job.state', payload: { state: 'done' } }) });
    expect(got).toEqual([{ state: 'running' }, 'changed']);
    ws.onclose!();
    timers[0]!();
    FakeSocket.made[1]!.onopen!();
    expect(states).toEqual([['connecting', false], ['open', false], ['closed', false], ['connecting', false], ['open', true]]);
  });

  it('says when a server answers but refuses this tab (restarted with a new token), not just that it is gone', async () => {
    const { transport } = make(() => new Response('Open the address printed in the terminal', { status: 401 }));
    const states: ConnectionState[] = [];
    transport.onConnection = (s) => states.push(s);
    transport.subscribe('job.state', () => undefined);
    FakeSocket.made[0]!.onclose!();
    await expect.poll(() => states).toEqual(['connecting', 'closed', 'refused']);
  });
});
