// The app state wired to a scripted host: startup, host events, commands from keys and menus,
// the gallery with its delete confirmation, and notices.
import { describe, expect, it } from 'vitest';
import type { GalleryItem } from '../../contract/types.ts';
import { DEFAULT_PRESET } from '../lib/presets.ts';
import { AppState } from './app.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { failure, testHost, type Script } from './testHost.ts';

const layers = [
  { name: 'mixed3', channels: 768, training: 'imagenet' as const },
  { name: 'mixed7', channels: 768, training: 'fine-tuned' as const },
];
const item = (id: string): GalleryItem => ({
  id, kind: 'dream', createdAt: '2030-01-01T00:00:00Z', input: { id: 'in1', name: 'cat.jpg', width: 4, height: 3, url: '/u' }, recipe: DEFAULT_PRESET.recipe,
  maxSide: 512, width: 4, height: 3, backend: 'wasm', elapsedMs: 1, resultUrl: '/r', thumbUrl: '/t',
});

function setup(script: Script = {}) {
  let items = [item('g2'), item('g1')];
  const host = testHost({
    'app.info': () => ({ version: '0.1.0', mode: 'browser', dataDir: '/data' }),
    'engine.status': () => ({ state: 'starting' }),
    'model.layers': () => layers,
    'gallery.list': () => items,
    'gallery.delete': ({ id }) => {
      const deleted = items.some((i) => i.id === id);
      items = items.filter((i) => i.id !== id);
      return { deleted };
    },
    ...script,
  });
  const app = new AppState(host.api, { picker: { pick: async () => null }, download: () => undefined, fetchBytes: async () => new Uint8Array() });
  return { app, host };
}

describe('AppState', () => {
  it('starts up from the host and loads layers once the engine is ready', async () => {
    const { app, host } = setup();
    await app.init();
    expect(app.info?.dataDir).toBe('/data');
    expect(app.gallery.items.map((i) => i.id)).toEqual(['g2', 'g1']);
    expect(app.layers).toEqual([]);
    host.emit({ channel: 'engine.changed', payload: { state: 'ready', backend: 'wasm', modelId: 'inception_v3', loadMs: 900 } });
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(app.engine.state).toBe('ready');
    expect(app.layers).toEqual(layers);
    expect(app.channelCounts.get('mixed7')).toBe(768);
  });

  it('keeps a ready event that overtakes the startup status answer written before it', async () => {
    let answer!: () => void;
    const { app, host } = setup({ 'engine.status': () => new Promise((r) => (answer = () => r({ state: 'starting' }))) });
    const started = app.init();
    await new Promise((r) => setTimeout(r, 0));
    host.emit({ channel: 'engine.changed', payload: { state: 'ready', backend: 'wasm', modelId: 'inception_v3', loadMs: 900 } });
    answer();
    await started;
    expect(app.engine.state).toBe('ready');
    await expect.poll(() => app.layers).toEqual(layers);
  });

  it('asks again once events flow, and takes a readiness no event told it', async () => {
    let status: { state: 'starting' } | { state: 'ready'; backend: string; modelId: string; loadMs: number } = { state: 'starting' };
    const { app } = setup({ 'engine.status': () => status });
    await app.init();
    expect(app.engine.state).toBe('starting');
    status = { state: 'ready', backend: 'wasm', modelId: 'inception_v3', loadMs: 900 };
    await app.refreshEngine();
    expect(app.engine.state).toBe('ready');
    await expect.poll(() => app.layers).toEqual(layers);
  });

  it('routes job events to the dream and refreshes the gallery when it changes', async () => {
    const { app, host } = setup({ 'image.import': () => ({ id: 'in1', name: 'a.png', width: 2, height: 2, url: '/u' }), 'dream.start': () => ({ jobId: 'j', position: 0 }) });
    await app.init();
    await app.dream.importFile({ name: 'a.png', data: new Uint8Array([1]) });
    app.run('dream');
    await new Promise((r) => setTimeout(r, 0));
    host.emit({ channel: 'job.progress', payload: { jobId: 'j', kind: 'dream', done: 1, total: 2, label: 'l', elapsedMs: 1, etaMs: 1, preview: 'data:image/jpeg;base64,x' } });
    expect(app.dream.job.preview).toBe('data:image/jpeg;base64,x');
    host.emit({ channel: 'job.state', payload: { jobId: 'j', kind: 'dream', state: 'done', item: item('g3') } });
    expect(app.dream.result?.id).toBe('g3');
    const before = host.calls.filter((c) => c.channel === 'gallery.list').length;
    host.emit({ channel: 'gallery.changed', payload: {} });
    expect(host.calls.filter((c) => c.channel === 'gallery.list').length).toBe(before + 1);
  });

  it('runs commands from keys and menus: panels, shortcuts overlay, Esc closing it first', async () => {
    const { app, host } = setup();
    await app.init();
    host.emit({ channel: 'app.command', payload: 'show-gallery' });
    expect(app.panel).toBe('gallery');
    app.run('show-zoom');
    expect(app.panel).toBe('zoom');
    app.run('open');
    expect(app.panel).toBe('dream');
    app.run('show-shortcuts');
    expect(app.shortcutsOpen).toBe(true);
    app.run('cancel');
    expect(app.shortcutsOpen).toBe(false);
    app.run('save');
    await Promise.resolve();
    expect(app.notices.list.at(-1)?.title).toBe('Nothing to save yet');
    app.dispose();
    host.emit({ channel: 'app.command', payload: 'show-gallery' });
    expect(app.panel).toBe('dream');
  });

  it("runs the visible panel's go and cancel, routes job events to it, and opens entries in their panels", async () => {
    const zoomItem = { id: 'z1', kind: 'zoom' as const, createdAt: 'x', updatedAt: 'x', input: { id: 'in1', name: 'a.png' }, sourceUrl: '/s', recipe: DEFAULT_PRESET.recipe, settings: { frames: 2, tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null }, maxSide: 256, width: 4, height: 3, status: 'new' as const, error: null, frameUrls: [], thumbUrl: '/t', exports: [], jobId: null };
    const { app, host } = setup({ 'zoom.create': () => zoomItem, 'zoom.run': () => ({ jobId: 'zr', position: 0 }), 'job.cancel': () => ({ cancelled: true }) });
    await app.init();
    app.zoom.useImage({ id: 'in1', name: 'a.png', width: 4, height: 3, url: '/u' });
    app.panel = 'zoom';
    app.run('dream');
    await new Promise((r) => setTimeout(r, 0));
    expect(host.calls.map((c) => c.channel)).toContain('zoom.run');
    expect(app.panel).toBe('zoom');
    host.emit({ channel: 'job.progress', payload: { jobId: 'zr', kind: 'zoom', done: 500, total: 1000, label: 'frame 1/2', elapsedMs: 1, etaMs: 1, frame: { index: 0, url: '/f0' } } });
    expect(app.zoom.projectFrames).toEqual(['/f0']);
    expect(app.dream.job.progress).toBeNull();
    app.run('cancel');
    await Promise.resolve();
    expect(host.calls.at(-1)).toEqual({ channel: 'job.cancel', request: { jobId: 'zr' } });

    const session = { id: 's1', kind: 'session' as const, createdAt: 'x', updatedAt: 'x', recipe: DEFAULT_PRESET.recipe, settings: { ...zoomItem.settings }, width: 4, height: 3, rounds: [{ number: 1, paintingUrl: '/p', frameUrls: [], picked: null }], thumbUrl: '/t', exports: [], jobId: null };
    app.openEntry(session);
    expect([app.panel, app.paint.session?.id, app.paint.base?.url]).toEqual(['paint', 's1', '/p']);
    app.openEntry(item('g1'));
    expect([app.panel, app.dream.result?.id]).toEqual(['dream', 'g1']);
  });

  it('says so when the host cannot be reached', async () => {
    const { app } = setup({ 'app.info': () => Promise.reject(failure('ConnectionError', 'Reverie is not answering.')) });
    await app.init();
    expect(app.notices.list.at(-1)).toMatchObject({ kind: 'error', title: 'Cannot reach Reverie', message: 'Connection lost: Reverie is not answering.' });
  });
});

describe('GalleryState', () => {
  it('deletes only after confirmation, and copes with items already gone', async () => {
    const { app, host } = setup();
    await app.gallery.refresh();
    app.gallery.askDelete('g1');
    expect(app.gallery.confirming).toBe('g1');
    app.gallery.keep();
    expect(app.gallery.confirming).toBeNull();
    expect(host.calls.some((c) => c.channel === 'gallery.delete')).toBe(false);
    app.gallery.askDelete('g1');
    await app.gallery.remove('g1');
    expect(app.gallery.items.map((i) => i.id)).toEqual(['g2']);
    await app.gallery.remove('g1');
    expect(app.notices.list.at(-1)?.title).toBe('Already gone');
  });
});

describe('Notices', () => {
  it('fades notices (errors after 12 s, held while pointed at), clears errors whose cause is gone, and shows at most four', () => {
    const timers: Array<[() => void, number]> = [];
    const notices = new Notices({ set: (fn, ms) => timers.push([fn, ms]) });
    const err = notices.error(failure('RecipeError', 'recipe: "steps" must be a number.'));
    notices.push('success', 'Saved');
    expect(timers.map(([, ms]) => ms)).toEqual([12_000, 4000]);
    timers[1]![0]();
    expect(notices.list.map((n) => n.title)).toEqual(['Recipe problem']);
    notices.hold(err, true);
    timers[0]![0]();
    expect(notices.list.map((n) => n.title)).toEqual(['Recipe problem']);
    notices.hold(err, false);
    timers.at(-1)![0]();
    expect(notices.list).toEqual([]);

    notices.error(new Error('no such file'), 'Could not open notes.txt');
    notices.error(new Error('busy'), 'Could not save');
    notices.resolve('Could not open');
    expect(notices.list.map((n) => n.title)).toEqual(['Could not save']);
    for (let i = 0; i < 5; i++) notices.push('info', `n${i}`, '', 0);
    expect(notices.list.map((n) => n.title)).toEqual(['n1', 'n2', 'n3', 'n4']);
  });
});
