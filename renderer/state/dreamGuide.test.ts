// The Guide slot's state: a picked image goes through the host's import and rides along with the
// dream request as guideInputId.
import { describe, expect, it } from 'vitest';
import type { InputImage } from '../../contract/types.ts';
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
    await dream.guideImporter.open();
    expect(dream.guide).toEqual(guide);
    expect(dream.input).toEqual(photo);
    await dream.dream();
    expect(host.calls.at(-1)).toMatchObject({ channel: 'dream.start', request: { inputId: 'in1', guideInputId: 'in2' } });
  });
});
