// The Guide slot's state: a picked image goes through the host's import and rides along with the
// dream request as guideInputId.
import { describe, expect, it } from 'vitest';
import type { InputImage, LoadedAsset } from '../../contract/types.ts';
import { DreamState } from './dream.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { RecipeState } from './recipe.svelte.ts';
import { testHost } from './testHost.ts';

const photo: InputImage = { id: 'in1', name: 'cat.jpg', width: 451, height: 300, url: '/u1' };
const guide: InputImage = { id: 'in2', name: 'flowers.jpg', width: 600, height: 400, url: '/u2' };

describe('DreamState guide', () => {
  it('imports the guide and sends it with the dream', async () => {
    const imports = [photo, guide];
    const host = testHost({ 'image.import': () => imports.shift()!, 'dream.start': () => ({ jobId: 'j', position: 0 }) });
    const dream = new DreamState({
      api: host.api,
      recipe: new RecipeState(),
      notices: new Notices({ set: () => undefined }),
      picker: { pick: async () => ({ name: 'flowers.jpg', data: new Uint8Array([1]) }) },
      download: () => undefined,
      fetchBytes: async () => new Uint8Array(),
      channelCounts: () => new Map(),
    });
    await dream.importFile({ name: 'cat.jpg', data: new Uint8Array([2]) });
    await dream.slots.guideImporter.open();
    expect(dream.slots.guide).toEqual(guide);
    expect(dream.input).toEqual(photo);
    await dream.dream();
    expect(host.calls.at(-1)).toMatchObject({ channel: 'dream.start', request: { inputId: 'in1', guideInputId: 'in2' } });
  });
});

describe('DreamState: a loaded recipe’s mask, guide and per-term masks', () => {
  const h = (c: string) => `sha256:${c.repeat(64)}`;
  const maskImg: InputImage = { id: 'm1', name: 'mask-a.png', width: 451, height: 300, url: '/m1' };
  const termImg: InputImage = { id: 'm2', name: 'mask-b.png', width: 451, height: 300, url: '/m2' };
  const guideImg: InputImage = { id: 'g1', name: 'guide-c.png', width: 300, height: 200, url: '/g1' };
  const recipe = { ...new RecipeState().recipe, version: 2 as const, layers: [{ name: 'mixed3', weight: 1, mask: h('b') }], mask: h('a'), guide: h('c') };
  const loaded = (assets: LoadedAsset[]) => ({ recipe, appVersion: '0', input: 'cat.jpg', createdAt: 'x', width: 451, height: 300, assets });

  function setup(assets: LoadedAsset[]) {
    const host = testHost({ 'image.import': () => photo, 'recipe.fromPng': () => loaded(assets), 'dream.start': () => ({ jobId: 'j', position: 0 }) });
    const recipeState = new RecipeState();
    const notices = new Notices({ set: () => undefined });
    const dream = new DreamState({
      api: host.api,
      recipe: recipeState,
      notices,
      picker: { pick: async () => ({ name: 'dream.png', data: new Uint8Array([1]) }) },
      download: () => undefined,
      fetchBytes: async () => new Uint8Array(),
      channelCounts: () => new Map(),
    });
    return { host, dream, recipeState, notices };
  }

  it('puts them back and dreams with the same images (the loaded mask sent as it came)', async () => {
    const { host, dream, recipeState } = setup([
      { kind: 'mask', hash: h('a'), image: maskImg },
      { kind: 'mask', hash: h('b'), image: termImg },
      { kind: 'guide', hash: h('c'), image: guideImg },
    ]);
    await dream.importFile({ name: 'cat.jpg', data: new Uint8Array([2]) });
    await dream.loadRecipe();
    expect(dream.slots.guide).toEqual(guideImg);
    expect(dream.slots.mask.base).toEqual(maskImg);
    expect(dream.slots.mask.active).toBe(true);
    expect(recipeState.recipe.layers).toEqual([{ name: 'mixed3', weight: 1, mask: h('b') }]);
    await dream.dream();
    expect(host.calls.at(-1)).toMatchObject({
      channel: 'dream.start',
      request: { inputId: 'in1', guideInputId: 'g1', maskInputId: 'm1', assets: [{ kind: 'mask', inputId: 'm2' }], recipe: { layers: [{ name: 'mixed3', mask: h('b') }] } },
    });
  });

  it('says so when the PNG lacks an image its recipe names, and leaves that slot empty', async () => {
    const { dream, notices } = setup([{ kind: 'mask', hash: h('b'), image: termImg }]);
    await dream.loadRecipe();
    expect(dream.slots.guide).toBeNull();
    expect(dream.slots.mask.base).toBeNull();
    expect(notices.list.map((n) => n.title)).toContain('Mask or guide missing');
  });

  it('a gallery result brings back the mask and guide its PNG carries, and re-running sends them', async () => {
    const { host, dream } = setup([
      { kind: 'mask', hash: h('a'), image: maskImg },
      { kind: 'mask', hash: h('b'), image: termImg },
      { kind: 'guide', hash: h('c'), image: guideImg },
    ]);
    const item = { id: 'g1', kind: 'dream' as const, createdAt: 'x', input: photo, recipe, maxSide: 8192, width: 451, height: 300, resultUrl: '/files/gallery/g1/result.png', thumbUrl: '/t', elapsedMs: 1, backend: 'wasm' };
    await dream.rerun(item as never);
    expect(host.calls.find((c) => c.channel === 'recipe.fromPng')).toBeDefined();
    expect(dream.slots.guide).toEqual(guideImg);
    expect(host.calls.at(-1)).toMatchObject({ channel: 'dream.start', request: { guideInputId: 'g1', maskInputId: 'm1', assets: [{ kind: 'mask', inputId: 'm2' }] } });
  });
});
