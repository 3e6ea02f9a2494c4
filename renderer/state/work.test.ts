// Kept work across a reload, against a scripted host: what each panel had open comes back from
// the page's storage, gone gallery entries are skipped, and unreadable storage is ignored.
import { describe, expect, it } from 'vitest';
import type { GalleryItem } from '../../contract/types.ts';
import { DEFAULT_PRESET } from '../lib/presets.ts';
import { AppState } from './app.svelte.ts';
import { testHost } from './testHost.ts';
import { WORK_KEY, captureWork, readWork, type WorkStorage } from './work.ts';

const input = { id: 'in1', name: 'cat.jpg', width: 400, height: 300, url: '/files/inputs/in1/display.jpg' };
const dreamed: GalleryItem = {
  id: 'g1', kind: 'dream', createdAt: '2030-01-01T00:00:00Z', input, recipe: { ...DEFAULT_PRESET.recipe, steps: 3 }, maxSide: 256,
  width: 256, height: 192, backend: 'wasm', elapsedMs: 1, resultUrl: '/r', thumbUrl: '/t',
};

function memory(): WorkStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

function appOn(storage: WorkStorage, items: GalleryItem[]) {
  const host = testHost({
    'app.info': () => ({ version: '0.1.0', mode: 'browser', dataDir: '/data' }),
    'engine.status': () => ({ state: 'starting' }),
    'gallery.list': () => items,
  });
  return new AppState(host.api, { picker: { pick: async () => null }, download: () => undefined, fetchBytes: async () => new Uint8Array(), storage });
}

describe('kept work', () => {
  it('brings back the dream, the Paint round settings and the panel after a reload', async () => {
    const storage = memory();
    const first = appOn(storage, [dreamed]);
    await first.init();
    first.dream.openItem(dreamed);
    first.recipe.set('steps', 7);
    first.paint.blank();
    first.paint.framesPerRound = 5;
    first.panel = 'paint';
    first.keepWork();
    expect(readWork(storage)).toEqual(captureWork(first));

    const again = appOn(storage, [dreamed]);
    await again.init();
    expect(again.dream.result?.id).toBe('g1');
    expect(again.recipe.steps).toBe(7);
    expect(again.dream.maxSide).toBe(256);
    expect(again.paint.base?.kind).toBe('blank');
    expect(again.paint.framesPerRound).toBe(5);
    expect(again.panel).toBe('paint');

    // A result deleted meanwhile is skipped; its input still comes back.
    const gone = appOn(storage, []);
    await gone.init();
    expect(gone.dream.result).toBeNull();
    expect(gone.dream.input).toEqual(input);
  });

  it('brings back Dream’s guide and painted mask (strokes, invert, on) after a reload', async () => {
    const storage = memory();
    const first = appOn(storage, []);
    await first.init();
    const guide = { id: 'gd1', name: 'flowers.jpg', width: 300, height: 200, url: '/g' };
    first.dream.slots.guide = guide;
    const m = first.dream.slots.mask;
    m.enabled = true;
    m.begin(0.1, 0.2);
    m.extend(0.3, 0.4);
    m.end();
    m.inverted = true;
    first.keepWork();

    const again = appOn(storage, []);
    await again.init();
    expect(again.dream.slots.guide).toEqual(guide);
    expect(again.dream.slots.mask).toMatchObject({ enabled: true, inverted: true, strokes: m.strokes, base: null });
    expect(again.dream.slots.mask.active).toBe(true);
  });

  it('ignores storage that is not ours to read', () => {
    const storage = memory();
    storage.map.set(WORK_KEY, '{not json');
    expect(readWork(storage)).toBeNull();
    storage.map.set(WORK_KEY, JSON.stringify({ version: 9, panel: 'dream' }));
    expect(readWork(storage)).toBeNull();
    expect(readWork(undefined)).toBeNull();
  });
});
