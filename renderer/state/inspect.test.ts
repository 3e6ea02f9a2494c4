// The Inspect panel's state against a scripted host: pages of a layer's channels (cached pictures
// first, missing ones rendered and placed by channel as they land), a channel's large view, the
// image probe, and "dream with this channel".
import { describe, expect, it } from 'vitest';
import type { InputImage, LayerChoice } from '../../contract/types.ts';
import { InspectState, PAGE_SIZE } from './inspect.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { testHost, type Script } from './testHost.ts';

const layers: LayerChoice[] = [
  { name: 'mixed3', channels: 30, training: 'imagenet' },
  { name: 'mixed7', channels: 768, training: 'fine-tuned' },
];
const pic = (layer: string, c: number) => `/files/features/inception_v3/${layer}/${c}-abc.png`;
const input: InputImage = { id: 'in1', name: 'cat.jpg', width: 160, height: 120, url: '/files/inputs/in1/display.jpg' };

function setup(script: Script = {}) {
  const host = testHost({
    'inspect.cached': ({ layer, channels }) => channels.filter((c) => c % 5 === 0).map((c) => ({ channel: c, url: pic(layer, c) })),
    'inspect.render': () => ({ jobId: 'grid', position: 0 }),
    'inspect.channel': () => ({ jobId: 'view', position: 0 }),
    'inspect.image': () => ({ jobId: 'probe', position: 0 }),
    'image.import': () => input,
    'job.cancel': () => ({ cancelled: true }),
    ...script,
  });
  const dreamed: string[] = [];
  const inspect = new InspectState({ api: host.api, notices: new Notices({ set: () => undefined }), picker: { pick: async () => null }, layers: () => layers, dreamWith: (l, c) => dreamed.push(`${l}:${c}`) });
  const calls = (channel: string) => host.calls.filter((c) => c.channel === channel).map((c) => c.request);
  const landed = (jobId: string, index: number, layer = 'mixed3') => inspect.onEvent({ jobId, kind: 'inspect', done: 1, total: 2, label: 'x', elapsedMs: 1, etaMs: 1, frame: { index, url: pic(layer, index) } });
  return { inspect, calls, dreamed, landed };
}

describe('InspectState', () => {
  it('grows the tiles of a rendering batch in place until their pictures land', async () => {
    const { inspect, landed } = setup();
    await inspect.selectLayer('mixed3');
    await inspect.renderPage();
    inspect.onEvent({ jobId: 'grid', kind: 'inspect', done: 0, total: 2, label: 'x', elapsedMs: 1, etaMs: 1, tiles: [{ index: 1, preview: 'data:a' }, { index: 2, preview: 'data:b' }] });
    expect(inspect.growing).toEqual({ 1: 'data:a', 2: 'data:b' });
    landed('grid', 1);
    expect(inspect.pictures[1]).toBe(pic('mixed3', 1));
    inspect.onEvent({ jobId: 'grid', kind: 'inspect', state: 'done', item: null });
    expect(inspect.growing).toEqual({});
  });

  it('holds as many channels a page as the grid fits, keeps the first one in view, and goes to a channel', async () => {
    const { inspect, calls } = setup();
    await inspect.selectLayer('mixed7');
    await inspect.setPage(3);
    expect(inspect.pageChannels[0]).toBe(36);
    await inspect.setPageSize(40);
    expect(inspect.pageChannels).toHaveLength(40);
    expect(inspect.pageChannels[0]).toBeLessThanOrEqual(36);
    expect(inspect.pageChannels.at(-1)).toBeGreaterThanOrEqual(36);
    expect(inspect.pages).toBe(20);
    await inspect.setPageSize(500);
    expect(inspect.pageSize).toBe(64);
    await inspect.setPageSize(40);
    await inspect.goTo(500);
    expect(inspect.pageChannels).toContain(500);
    expect(inspect.selected).toBe(500);
    expect(calls('inspect.channel').at(-1)).toEqual({ layer: 'mixed7', channel: 500, quality: 'quick' });
    await inspect.goTo(900);
    expect(inspect.selected).toBe(500);
  });

  it('pages through a layer, showing what the cache holds and rendering only what is missing', async () => {
    const { inspect, calls, landed } = setup();
    await inspect.selectLayer('mixed3');
    expect(inspect.pages).toBe(3);
    expect(calls('inspect.cached')).toEqual([{ layer: 'mixed3', channels: Array.from({ length: PAGE_SIZE }, (_, i) => i), quality: 'quick' }]);
    expect(Object.keys(inspect.pictures).map(Number)).toEqual([0, 5, 10]);
    expect(inspect.missing).toHaveLength(PAGE_SIZE - 3);
    await inspect.renderPage();
    expect(calls('inspect.render')).toEqual([{ layer: 'mixed3', channels: inspect.missing, quality: 'quick' }]);
    landed('grid', 3);
    expect(inspect.pictures[3]).toBe(pic('mixed3', 3));
    await inspect.setPage(9);
    expect(inspect.page).toBe(2);
    expect(inspect.pageChannels).toEqual([24, 25, 26, 27, 28, 29]);
    // Pictures of a grid job keep to the layer it renders.
    await inspect.selectLayer('mixed7');
    landed('grid', 4);
    expect(inspect.pictures[4]).toBeUndefined();
    await inspect.setQuality('draft');
    expect(calls('inspect.cached').at(-1)).toMatchObject({ layer: 'mixed7', quality: 'draft' });
  });

  it('shows a channel large with its neighbours, and dreams with it', async () => {
    const { inspect, calls, dreamed } = setup();
    await inspect.selectLayer('mixed3');
    await inspect.show(7);
    expect(calls('inspect.channel')).toEqual([{ layer: 'mixed3', channel: 7, quality: 'quick' }]);
    expect(inspect.viewer.busy).toBe(true);
    inspect.onEvent({ jobId: 'view', kind: 'inspect', state: 'done', item: null, frames: ['/big7.png'], inspect: { layer: 'mixed3', channel: 7, neighbours: [{ channel: 2, mean: 3 }] } });
    expect(inspect.view).toEqual({ channel: 7, url: '/big7.png', neighbours: [{ channel: 2, mean: 3 }] });
    inspect.dreamWith(7);
    expect(dreamed).toEqual(['mixed3:7']);
  });

  it('probes a dropped image through the current layer, showing the strongest map first', async () => {
    const { inspect, calls } = setup();
    await inspect.importFile({ name: 'cat.jpg', data: new Uint8Array([1]) });
    expect(calls('inspect.image')).toEqual([]);
    await inspect.selectLayer('mixed3');
    expect(calls('inspect.image')).toEqual([{ inputId: 'in1', layer: 'mixed3', top: 8 }]);
    const top = [{ channel: 12, mean: 4, mapUrl: '/m12.png' }, { channel: 3, mean: 2, mapUrl: '/m3.png' }];
    // The probe starts in the background: its end may outrun the answer that names the job.
    inspect.onEvent({ jobId: 'probe', kind: 'inspect', state: 'done', item: null, frames: [], inspect: { layer: 'mixed3', top } });
    await new Promise((r) => setTimeout(r, 0));
    expect(inspect.probe?.top).toEqual(top);
    expect(inspect.shownMap).toBe(12);
    await inspect.cancel();
    expect(calls('job.cancel')).toEqual([]);
  });
});
