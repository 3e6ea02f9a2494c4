// Settings → Farm and Inspect's atlas browser against a scripted host: a test never saves, a save
// goes through settings.update and reads the workers back, a failed test keeps the host's words;
// throughput in words; the atlas search as the atlas's own index.html does it.
import { describe, expect, it } from 'vitest';
import type { AtlasView, FarmStatusView } from '../../contract/farm.ts';
import type { SettingsView } from '../../contract/models.ts';
import { DEFAULT_PRESET } from '../lib/presets.ts';
import { AtlasState, atlasMatches } from './atlas.svelte.ts';
import { FarmState, throughputText } from './farm.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { SettingsState } from './settings.svelte.ts';
import { failure, testHost } from './testHost.ts';

const view = (farmUrl: string | null): SettingsView => ({
  settings: { version: 1, backend: 'auto', device: 'auto', defaultRecipe: DEFAULT_PRESET.recipe, outputFolder: null, lastUsed: {}, farmUrl, farmInsecure: false },
  backends: [],
  devices: [],
  file: '~/cfg/settings.json',
  backendPinned: null,
});
const worker = { name: 'box:12:inception_v3', host: 'box', device: 'onnxruntime-node cpu · Xeon ×2', models: ['inception_v3'], concurrency: 1, active: 0, done: 9, recentDone: 3, recentMsPerJob: 2450 };
const status: FarmStatusView = { url: 'redis://127.0.0.1:6379', server: 'redis 7.0.15', pingMs: 0.4, workers: [worker] };

function setup(script: Parameters<typeof testHost>[0]) {
  const host = testHost(script);
  const notices = new Notices({ set: () => undefined });
  const settings = new SettingsState({ api: host.api, notices, picker: { pick: async () => null }, download: () => undefined });
  return { host, settings, farm: new FarmState({ api: host.api, notices, settings }) };
}

describe('FarmState', () => {
  it('tests a URL without saving it, then saves it and lists the saved farm\'s workers', async () => {
    let saved: string | null = null;
    const { host, settings, farm } = setup({
      'settings.get': () => view(saved),
      'farm.test': () => status,
      'farm.status': () => status,
      'settings.update': (r) => ((saved = r.farmUrl ?? null), view(saved)),
    });
    await settings.load();
    farm.syncFromSettings();
    expect(farm.url).toBe('');
    farm.url = ' redis://127.0.0.1:6379 ';
    await farm.test();
    expect(host.calls.at(-1)).toEqual({ channel: 'farm.test', request: { url: 'redis://127.0.0.1:6379', insecure: false } });
    expect(farm.status?.workers).toHaveLength(1);
    expect(farm.savedUrl).toBeNull();
    await farm.save();
    expect(host.calls.map((c) => c.channel)).toEqual(['settings.get', 'farm.test', 'settings.update', 'farm.status']);
    expect(farm.savedUrl).toBe('redis://127.0.0.1:6379');
  });

  it('keeps the host\'s reason when a test fails, and clears the workers', async () => {
    const { farm } = setup({ 'farm.test': () => { throw failure('FarmOfflineError', 'Cannot reach the farm at redis://127.0.0.1:1: connect ECONNREFUSED.'); } });
    farm.status = status;
    farm.url = 'redis://127.0.0.1:1';
    await farm.test();
    expect(farm.status).toBeNull();
    expect(farm.problem).toMatch(/ECONNREFUSED/);
  });

  it('says throughput in words', () => {
    expect(throughputText(worker)).toBe('3 jobs/min · 2.5 s each');
    expect(throughputText({ recentDone: 0, recentMsPerJob: null, active: 1 })).toBe('working');
    expect(throughputText({ recentDone: 1, recentMsPerJob: 800, active: 0 })).toBe('1 job/min · 0.8 s each');
  });
});

describe('atlasMatches', () => {
  const tile = (c: number) => ({ channel: c, url: `/files/atlases/a/mixed4/${c}.png` });
  const atlas: AtlasView = { id: 'a', name: 'a', folder: '~/a', model: 'inception_v3', channels: 14, layers: 2, recipe: null, layerList: [{ name: 'mixed3', channels: [0, 1, 2].map(tile), missing: 0 }, { name: 'mixed4', channels: [1, 9, 97, 100].map(tile), missing: 7 }] };
  it('shows the current layer, narrowed by a channel prefix; layer:channel finds one across layers', () => {
    expect(atlasMatches(atlas, 'mixed4', '').map((m) => m.channel.channel)).toEqual([1, 9, 97, 100]);
    expect(atlasMatches(atlas, 'mixed4', '9').map((m) => m.channel.channel)).toEqual([9, 97]);
    expect(atlasMatches(atlas, 'mixed3', 'mixed4:97')).toEqual([{ layer: 'mixed4', channel: tile(97) }]);
    expect(atlasMatches(atlas, 'mixed3', 'mixed4:98')).toEqual([]);
    expect(atlasMatches(null, 'mixed3', '')).toEqual([]);
  });
});

describe('AtlasState.openFolder', () => {
  const summary = { id: 'f-0123456789abcdef', name: 'my atlas', folder: '/x/my atlas', model: 'inception_v3', channels: 1, layers: 1 };
  const view: AtlasView = { ...summary, recipe: null, layerList: [{ name: 'mixed0', channels: [{ channel: 0, url: '/files/atlas-folders/f-0123456789abcdef/mixed0/0000.png' }], missing: 0 }] };
  const make = (desktop: boolean, picked: { path: string } | null) => {
    const host = testHost({ 'dialog.openAtlasFolder': () => picked, 'atlas.add': () => summary, 'atlas.list': () => [summary], 'atlas.open': () => view });
    return { host, atlas: new AtlasState({ api: host.api, notices: new Notices({ set: () => undefined }), desktop: () => desktop }) };
  };

  it('browser mode opens the typed path; the desktop asks its dialog and sends only its answer', async () => {
    const browser = make(false, null);
    browser.atlas.path = ' /x/my atlas ';
    await browser.atlas.openFolder();
    expect(browser.host.calls.map((c) => c.channel)).toEqual(['atlas.add', 'atlas.list', 'atlas.open']);
    expect(browser.host.calls[0]!.request).toEqual({ path: '/x/my atlas' });
    expect(browser.atlas.open?.id).toBe(summary.id);
    expect(browser.atlas.path).toBe('');

    const desktop = make(true, { path: '/picked' });
    desktop.atlas.path = '/typed';
    await desktop.atlas.openFolder();
    expect(desktop.host.calls.slice(0, 2)).toEqual([{ channel: 'dialog.openAtlasFolder', request: {} }, { channel: 'atlas.add', request: { path: '/picked' } }]);
    const cancelled = make(true, null);
    await cancelled.atlas.openFolder();
    expect(cancelled.host.calls.map((c) => c.channel)).toEqual(['dialog.openAtlasFolder']);
  });
});
