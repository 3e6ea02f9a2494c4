// The Dream panel's state against a scripted host: import, dream with live previews (including
// events that outrun the start answer), cancel, failures, save, gallery items and continuing.
import { describe, expect, it } from 'vitest';
import type { FileBytes, GalleryItem, InputImage, JobProgress } from '../../contract/types.ts';
import { DEFAULT_PRESET } from '../lib/presets.ts';
import { ORIGINAL_SIZE, sizeChoices } from '../lib/recipeFields.ts';
import { DreamState } from './dream.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { RecipeState } from './recipe.svelte.ts';
import { failure, testHost, type Script } from './testHost.ts';

const input: InputImage = { id: 'in1', name: 'cat.jpg', width: 451, height: 300, url: '/files/inputs/in1/display.jpg' };
const item: GalleryItem = {
  id: 'g1', kind: 'dream', createdAt: '2030-01-01T00:00:00Z', input, recipe: { ...DEFAULT_PRESET.recipe, steps: 3 }, maxSide: 256,
  width: 256, height: 170, backend: 'wasm', elapsedMs: 65_000, resultUrl: '/files/gallery/g1/result.png', thumbUrl: '/files/gallery/g1/thumb.jpg',
};
const file: FileBytes = { name: 'cat.jpg', data: new Uint8Array([1, 2, 3]) };
const progress = (done: number, preview?: string): JobProgress => ({ jobId: 'job1', kind: 'dream', done, total: 4, label: `octave 1/2 · step ${done}/2 · 91×61`, elapsedMs: done * 500, etaMs: (4 - done) * 500, ...(preview ? { preview } : {}) });

function setup(script: Script = {}) {
  const host = testHost({ 'image.import': () => input, 'dream.start': () => ({ jobId: 'job1', position: 0 }), 'job.cancel': () => ({ cancelled: true }), ...script });
  const notices = new Notices({ set: () => undefined });
  const recipe = new RecipeState();
  const downloads: string[] = [];
  let picked: FileBytes | null = file;
  const dream = new DreamState({
    api: host.api,
    recipe,
    notices,
    picker: { pick: async () => picked },
    download: (url, name) => downloads.push(`${url} as ${name}`),
    fetchBytes: async (url) => new TextEncoder().encode(url),
    channelCounts: () => new Map([['mixed4', 768]]),
  });
  return { host, notices, recipe, dream, downloads, pick: (f: FileBytes | null) => (picked = f) };
}

describe('DreamState', () => {
  it('imports an image, dreams with live previews and ends on the result', async () => {
    const { dream, host } = setup();
    expect(dream.canDream).toBe(false);
    await dream.importFile(file);
    expect(dream.input).toEqual(input);
    expect(dream.canDream).toBe(true);
    // The input's own size by default: nothing is scaled down unless the user asks.
    expect(dream.maxSide).toBe(ORIGINAL_SIZE);
    dream.maxSide = 256;
    await dream.dream();
    expect(host.calls.at(-1)).toEqual({ channel: 'dream.start', request: { inputId: 'in1', recipe: DEFAULT_PRESET.recipe, maxSide: 256 } });
    expect(dream.job.phase).toBe('running');
    expect(dream.canDream).toBe(false);
    dream.onEvent(progress(1, 'data:image/jpeg;base64,AAA'));
    dream.onEvent(progress(2));
    dream.onEvent({ ...progress(3, 'data:image/jpeg;base64,BBB'), jobId: 'someone-else' });
    expect(dream.job.preview).toBe('data:image/jpeg;base64,AAA');
    expect(dream.job.previewCount).toBe(1);
    expect(dream.job.fraction).toBe(0.5);
    expect(dream.statusText).toBe('octave 1/2 · step 2/2 · 91×61 · about 1 s left');
    dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'done', item });
    expect(dream.job.phase).toBe('idle');
    expect(dream.result).toEqual(item);
    expect(dream.view).toBe('compare');
    expect(dream.statusText).toBe('Done in 1 min 05 s · 256×170');
  });

  it('keeps events that arrive before dream.start answers, and applies them after', async () => {
    let release: () => void = () => undefined;
    const { dream } = setup({ 'dream.start': () => new Promise((resolve) => (release = () => resolve({ jobId: 'job1', position: 1 }))) });
    await dream.importFile(file);
    const started = dream.dream();
    expect(dream.job.phase).toBe('starting');
    dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'queued', position: 1 });
    dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'running' });
    dream.onEvent(progress(1, 'data:image/jpeg;base64,EARLY'));
    release();
    await started;
    expect(dream.job.phase).toBe('running');
    expect(dream.job.preview).toBe('data:image/jpeg;base64,EARLY');
  });

  it('shows queue position, cancels, and reports the cancellation', async () => {
    const { dream, host, notices } = setup({ 'dream.start': () => ({ jobId: 'job1', position: 2 }) });
    await dream.importFile(file);
    await dream.dream();
    expect(dream.statusText).toBe('Queued (2 ahead)');
    dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'queued', position: 1 });
    expect(dream.statusText).toBe('Queued (1 ahead)');
    await dream.cancel();
    expect(host.calls.at(-1)).toEqual({ channel: 'job.cancel', request: { jobId: 'job1' } });
    expect(dream.job.phase).toBe('cancelling');
    dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'running' });
    expect(dream.job.phase).toBe('cancelling');
    dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'cancelled' });
    expect(dream.job.phase).toBe('idle');
    expect(dream.result).toBeNull();
    expect(notices.list.map((n) => n.title)).toEqual(['Cancelled']);
  });

  it('turns failures into clear messages and keeps what it had', async () => {
    const { dream, notices } = setup({ 'image.import': () => Promise.reject(failure('UnsupportedImageError', 'photo.heic — HEIC is not supported; convert it to PNG or JPEG')) });
    await dream.importFile({ name: 'photo.heic', data: new Uint8Array([1]) });
    expect(dream.input).toBeNull();
    expect(notices.list.at(-1)).toMatchObject({ kind: 'error', title: 'Could not open photo.heic', message: 'Unsupported image: photo.heic — HEIC is not supported; convert it to PNG or JPEG' });

    const second = setup();
    await second.dream.importFile(file);
    await second.dream.dream();
    second.dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'failed', error: { name: 'ImageTooSmallError', message: 'The image is 40x30; layer mixed10 needs at least 75x75 pixels.' } });
    expect(second.dream.job.phase).toBe('idle');
    expect(second.dream.error?.name).toBe('ImageTooSmallError');
    expect(second.notices.list.at(-1)).toMatchObject({ kind: 'error', title: 'The dream failed', message: expect.stringContaining('Image too small: The image is 40x30') });
  });

  it('will not dream without an input or with an impossible recipe', async () => {
    const { dream, recipe, host } = setup();
    await dream.dream();
    expect(host.calls).toEqual([]);
    await dream.importFile(file);
    recipe.addChannel('mixed4', 999);
    expect(dream.problems).toEqual(['mixed4 has channels 0–767; 999 is out of range.']);
    await dream.dream();
    expect(host.calls.map((c) => c.channel)).toEqual(['image.import']);
  });

  it('saves as a download in browser mode and as a file in the desktop app', async () => {
    const browser = setup({ 'result.save': () => ({ kind: 'download', url: '/files/gallery/g1/result.png?download=cat-dream.png', fileName: 'cat-dream.png' }) });
    await browser.dream.save();
    expect(browser.notices.list.at(-1)?.title).toBe('Nothing to save yet');
    browser.dream.openItem(item);
    await browser.dream.save();
    expect(browser.downloads).toEqual(['/files/gallery/g1/result.png?download=cat-dream.png as cat-dream.png']);
    const desktop = setup({ 'result.save': () => ({ kind: 'saved', path: '/home/u/Pictures/cat-dream.png' }) });
    desktop.dream.openItem(item);
    await desktop.dream.save();
    expect(desktop.notices.list.at(-1)).toMatchObject({ kind: 'success', message: '/home/u/Pictures/cat-dream.png' });
  });

  it('reopens gallery items with their recipe, re-runs them, and continues from a result', async () => {
    const { dream, recipe, host } = setup();
    dream.openItem(item);
    expect(dream.input).toEqual(input);
    expect(recipe.steps).toBe(3);
    expect(dream.maxSide).toBe(256);
    await dream.rerun(item);
    expect(host.calls.at(-1)).toMatchObject({ channel: 'dream.start', request: { inputId: 'in1', maxSide: 256, recipe: { steps: 3 } } });
    dream.openItem({ ...item, id: 'g2' });
    expect(dream.result?.id).not.toBe('g2');
    dream.onEvent({ jobId: 'job1', kind: 'dream', state: 'done', item });
    await dream.continueFromResult();
    expect(host.calls.at(-1)).toEqual({ channel: 'image.import', request: { name: 'cat-dream.png', data: new TextEncoder().encode('/files/gallery/g1/result.png') } });
  });

  it('loads a recipe from a PNG the user picks', async () => {
    const { dream, recipe, notices, pick } = setup({ 'recipe.fromPng': () => ({ recipe: { ...DEFAULT_PRESET.recipe, octaves: 2 }, appVersion: '0.1.0', input: 'cat.jpg', createdAt: '', width: 384, height: 256 }) });
    pick(null);
    await dream.loadRecipe();
    expect(recipe.octaves).toBe(4);
    pick({ name: 'old-dream.png', data: new Uint8Array([9]) });
    await dream.loadRecipe();
    expect(recipe.octaves).toBe(2);
    expect(dream.maxSide).toBe(384);
    expect(notices.list.at(-1)?.message).toBe('From old-dream.png (dreamed from cat.jpg at 384×256 with Reverie 0.1.0).');
  });

  it('offers sizes below the input\'s own, and treats a size at or above it as the original', async () => {
    const { dream } = setup();
    dream.maxSide = 1024;
    await dream.importFile(file);
    expect(dream.maxSide).toBe(ORIGINAL_SIZE);
    expect(sizeChoices(451, ORIGINAL_SIZE)).toEqual([256, 384]);
    expect(sizeChoices(451, 300)).toEqual([256, 300, 384]);
    expect(sizeChoices(null, 512)).toEqual([256, 384, 512, 768, 1024, 1536, 2048]);
  });
});
