// The one contract, and every party built from it: preload exposes exactly one method per channel,
// main registers exactly one handler per invoke channel, the renderer API matches, and the wire
// codec carries bytes. Type-level checks run under tsc (npm run typecheck).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { apiFromBridge, buildApi, HostError, type BridgeApi, type Envelope } from '../contract/api.ts';
import { channels, contract, eventChannels, invokeChannels, isInvokeChannel, type Handlers, type ReverieApi } from '../contract/channels.ts';
import type { SessionItem, ZoomCreateRequest, ZoomItem } from '../contract/projects.ts';
import type { ModelDownload, ModelInfo, SettingsUpdate, UserPreset } from '../contract/models.ts';
import type { DreamRequest, EngineStatus, GalleryEntry, JobDone, JobProgress, JobState, JobTicket } from '../contract/types.ts';
import { fromWire, toWire } from '../contract/wire.ts';
import { answer, registerIpc } from '../main/ipc.ts';
import { createBridge, type IpcRendererLike } from '../preload/bridge.ts';

/** A recording ipcRenderer: what preload sends, and a way to push events at it. */
function fakeIpcRenderer() {
  const invoked: Array<[string, unknown]> = [];
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, request) => {
      invoked.push([channel, request]);
      return channel === 'job.cancel' ? { ok: false, error: { name: 'NotFoundError', message: 'no such job' } } : { ok: true, value: `answer to ${channel}` };
    },
    on: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const emit = (channel: string, payload: unknown): void => listeners.get(channel)?.forEach((l) => l({ sender: 'ipc internals' }, payload));
  return { ipc, invoked, listeners, emit };
}

describe('the contract', () => {
  it('splits every channel into invoke or event, with no name in both', () => {
    expect([...invokeChannels, ...eventChannels].sort()).toEqual([...channels].sort());
    expect(new Set(channels).size).toBe(channels.length);
    expect(invokeChannels).toContain('dream.start');
    expect(eventChannels).toContain('job.progress');
    expect(isInvokeChannel('dream.start')).toBe(true);
    expect(isInvokeChannel('job.progress')).toBe(false);
    expect(isInvokeChannel('toString')).toBe(false);
    expect(isInvokeChannel('__proto__')).toBe(false);
  });

  it('types requests, responses and payloads per channel', () => {
    expectTypeOf<Parameters<ReverieApi['dream.start']>[0]>().toEqualTypeOf<DreamRequest>();
    expectTypeOf<ReturnType<ReverieApi['dream.start']>>().toEqualTypeOf<Promise<JobTicket>>();
    expectTypeOf<ReturnType<Handlers['gallery.list']>>().toEqualTypeOf<Promise<GalleryEntry[]>>();
    expectTypeOf<Parameters<Parameters<ReverieApi['job.progress']>[0]>[0]>().toEqualTypeOf<JobProgress>();
    expectTypeOf<ReturnType<BridgeApi['dream.start']>>().toEqualTypeOf<Promise<Envelope<JobTicket>>>();
    expectTypeOf<keyof Handlers>().toEqualTypeOf<(typeof invokeChannels)[number]>();
    expectTypeOf<keyof ReverieApi>().toEqualTypeOf<keyof typeof contract>();
    expectTypeOf<Parameters<ReverieApi['zoom.create']>[0]>().toEqualTypeOf<ZoomCreateRequest>();
    expectTypeOf<ReturnType<Handlers['zoom.create']>>().toEqualTypeOf<Promise<ZoomItem>>();
    expectTypeOf<ReturnType<ReverieApi['session.pick']>>().toEqualTypeOf<Promise<SessionItem>>();
    expectTypeOf<ReturnType<ReverieApi['video.export']>>().toEqualTypeOf<Promise<JobTicket>>();
    expectTypeOf<Extract<JobState, { state: 'done' }>>().toEqualTypeOf<JobDone>();
  });

  it('has the zoom, video, session and inspect channels, each an invoke answered by every host', () => {
    const animate = ['zoom.create', 'zoom.run', 'zoom.preview', 'zoom.resume', 'video.export', 'video.save', 'session.new', 'session.dream', 'session.pick', 'session.add', 'session.video', 'gallery.get', 'inspect.cached', 'inspect.render', 'inspect.channel', 'inspect.image'];
    for (const c of animate) expect(isInvokeChannel(c), c).toBe(true);
  });

  it('has the models, settings and presets channels, and the download event', () => {
    const models = ['models.list', 'models.probe', 'models.add', 'models.cancel', 'models.remove', 'models.select', 'models.classes', 'settings.get', 'settings.update', 'presets.list', 'presets.save', 'presets.rename', 'presets.delete', 'presets.export', 'presets.import'];
    for (const c of models) expect(isInvokeChannel(c), c).toBe(true);
    expect(eventChannels).toContain('models.download');
    expectTypeOf<ReturnType<ReverieApi['models.list']>>().toEqualTypeOf<Promise<ModelInfo[]>>();
    expectTypeOf<ReturnType<Handlers['models.select']>>().toEqualTypeOf<Promise<EngineStatus>>();
    expectTypeOf<Parameters<Parameters<ReverieApi['models.download']>[0]>[0]>().toEqualTypeOf<ModelDownload>();
    expectTypeOf<Parameters<ReverieApi['settings.update']>[0]>().toEqualTypeOf<SettingsUpdate>();
    expectTypeOf<ReturnType<ReverieApi['presets.import']>>().toEqualTypeOf<Promise<UserPreset>>();
  });
});

describe('preload', () => {
  it('exposes exactly one method per channel, each on its own IPC channel', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    expect(Object.keys(bridge).sort()).toEqual([...channels].sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    for (const c of invokeChannels) await (bridge[c] as (r: unknown) => Promise<unknown>)({ probe: c });
    expect(invoked).toEqual(invokeChannels.map((c) => [c, { probe: c }]));
  });

  it('passes only the payload to listeners, and unsubscribes', () => {
    const { ipc, emit, listeners } = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    const seen: unknown[] = [];
    const off = bridge['job.state']((payload) => seen.push(payload));
    emit('job.state', { jobId: 'j', kind: 'dream', state: 'running' });
    off();
    emit('job.state', { jobId: 'j', kind: 'dream', state: 'done' });
    expect(seen).toEqual([{ jobId: 'j', kind: 'dream', state: 'running' }]);
    expect(listeners.get('job.state')?.size).toBe(0);
    expect(() => bridge['job.state']('not a function' as never)).toThrow(TypeError);
  });

  it('gives the renderer plain answers and typed HostErrors through the bridge', async () => {
    const api = apiFromBridge(createBridge(fakeIpcRenderer().ipc));
    expect(await api['app.info']({})).toBe('answer to app.info');
    const failure = api['job.cancel']({ jobId: 'x' });
    await expect(failure).rejects.toBeInstanceOf(HostError);
    await expect(failure).rejects.toMatchObject({ name: 'NotFoundError', message: 'no such job' });
  });
});

describe('main IPC', () => {
  const handlers = Object.fromEntries(
    invokeChannels.map((c) => [c, async (request: unknown) => (c === 'gallery.delete' ? Promise.reject(Object.assign(new Error('gone'), { name: 'NotFoundError' })) : { echo: request })]),
  ) as unknown as Handlers;

  it('registers exactly one handler per invoke channel and removes them all', () => {
    const registered: string[] = [];
    const removed: string[] = [];
    const dispose = registerIpc({ handle: (channel) => registered.push(channel), removeHandler: (channel) => removed.push(channel) }, handlers);
    expect(registered).toEqual(invokeChannels);
    dispose();
    expect(removed).toEqual(invokeChannels);
  });

  it('answers only frames showing our page, and keeps error names', async () => {
    const ours = { senderFrame: { url: 'reverie://app/index.html' } };
    expect(await answer(handlers, 'app.info', ours, { a: 1 })).toEqual({ ok: true, value: { echo: { a: 1 } } });
    expect(await answer(handlers, 'gallery.delete', ours, {})).toEqual({ ok: false, error: { name: 'NotFoundError', message: 'gone' } });
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'reverie://files/index.html', 'http://127.0.0.1:5173/', '']) {
      const refused = await answer(handlers, 'app.info', { senderFrame: { url } }, {});
      expect(refused).toMatchObject({ ok: false, error: { name: 'SecurityError' } });
    }
    expect(await answer(handlers, 'app.info', { senderFrame: null }, {})).toMatchObject({ ok: false });
  });
});

describe('the renderer API over any transport', () => {
  it('has one method per channel and unwraps envelopes', async () => {
    const calls: string[] = [];
    const api = buildApi({
      invoke: async (channel) => {
        calls.push(channel);
        return { ok: true, value: channel };
      },
      subscribe: () => () => undefined,
    });
    expect(Object.keys(api).sort()).toEqual([...channels].sort());
    expect(await api['gallery.list']({})).toBe('gallery.list');
    expect(calls).toEqual(['gallery.list']);
  });
});

describe('wire codec', () => {
  it('carries bytes anywhere in a value and leaves look-alikes alone', () => {
    const data = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    const value = { name: 'a.png', data, nested: [{ data: new Uint8Array([0, 255]) }], lookAlike: { $bytes: 'AAAA', other: 1 } };
    const back = fromWire(toWire(value)) as typeof value;
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back.data).equals(Buffer.from(data))).toBe(true);
    expect(Array.from(back.nested[0]!.data)).toEqual([0, 255]);
    expect(back.lookAlike).toEqual({ $bytes: 'AAAA', other: 1 });
  });
});
